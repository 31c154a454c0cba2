// For a block of statements: the core and the standard headers a fragment usually needs, and
// main() around it.
#include <alloc_chaos/alloc_chaos.hpp>

#include <iostream>
#include <map>
#include <memory_resource>
#include <string>
#include <vector>

int main() {
// @snippet@
}
