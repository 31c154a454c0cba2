#include <alloc_chaos/allocation.hpp>

#include <ostream>

namespace alloc_chaos {

std::ostream& operator<<(std::ostream& out, const allocation& a) {
    out << '#' << a.index() << ' ' << a.operation() << " size=" << a.size() << " align=" << a.alignment();
    if (a.nothrow())
        out << " nothrow";
    return out;
}

}  // namespace alloc_chaos
