#ifndef ALLOC_CHAOS_STRONG_GUARANTEE_HPP
#define ALLOC_CHAOS_STRONG_GUARANTEE_HPP

// The strong exception guarantee, checked in every run of a check: an operation that fails must
// leave the object it works on exactly as it was before.
//
//     std::vector<std::string> v = make();
//     {
//         alloc_chaos::strong_guarantee guard(v);  // snapshots v, unobserved
//         v.push_back("x");                         // the operation under test
//     }                                            // v changed while an exception unwinds? a finding
//
// The snapshot is a copy compared with ==, or what a projection makes of the object:
//
//     alloc_chaos::strong_guarantee guard(table, [](const auto& t) { return t.entries(); });

#include <alloc_chaos/current_run.hpp>
#include <alloc_chaos/finding.hpp>
#include <alloc_chaos/source.hpp>

#include <concepts>
#include <exception>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>

namespace alloc_chaos {

namespace detail {

// The default projection: a copy of the object.
struct copy_of {
    template <class T>
    T operator()(const T& object) const {
        return object;
    }
};

// Records the broken_guarantee finding of the run in progress; false outside a check's runs.
inline bool report_broken_guarantee() noexcept {
    const std::optional<run_status> run = current_run();
    if (!run)
        return false;
    unobserved bookkeeping;
    try {
        std::ostringstream message;
        message << "the object changed although the operation failed";
        if (run->injected)
            message << ", in the run failing " << *run->injected;
        return report_finding(finding_kind::broken_guarantee, run->injected, message.str());
    } catch (...) {  // out of memory for the message itself
        return false;
    }
}

}  // namespace detail

// Snapshots an object at construction and, when an exception unwinds through its destruction,
// records a broken_guarantee finding of the run in progress if the object is no longer equal to
// the snapshot. Snapshots and comparisons are unobserved: they are no attempts of the body.
template <class T, class Projection = detail::copy_of>
    requires std::invocable<const Projection&, const T&> &&
             std::equality_comparable<std::remove_cvref_t<std::invoke_result_t<const Projection&, const T&>>>
class strong_guarantee {
public:
    // What the snapshot holds: a copy of the object, or what the projection returns.
    using snapshot_type = std::remove_cvref_t<std::invoke_result_t<const Projection&, const T&>>;

    // Snapshots `object`, which must outlive this guard, with `project`.
    explicit strong_guarantee(const T& object, Projection project = Projection())
        : object_(object), project_(std::move(project)), snapshot_(take(object_, project_)),
          exceptions_(std::uncaught_exceptions()) {}
    // A temporary would be gone before the operation: guard an object that outlives the guard.
    strong_guarantee(const T&&, Projection = Projection()) = delete;

    strong_guarantee(const strong_guarantee&) = delete;
    strong_guarantee& operator=(const strong_guarantee&) = delete;

    // While an exception unwinds through it (one not in flight at construction), compares the
    // object with the snapshot and records a broken_guarantee finding when they differ. Does
    // nothing outside a check's runs; never throws.
    ~strong_guarantee() {
        if (std::uncaught_exceptions() > exceptions_ && current_run())
            (void)verify();
    }

    // Compares the object with the snapshot now, for an operation that reports failure by value.
    // Returns true when they are equal; otherwise records a broken_guarantee finding (in a check's
    // runs) and returns false. A comparison that throws counts as equal, and records nothing.
    bool verify() const noexcept {
        if (unchanged())
            return true;
        (void)detail::report_broken_guarantee();
        return false;
    }

    // The object guarded.
    const T& object() const noexcept { return object_; }
    // The state the object must be found in after a failed operation.
    const snapshot_type& snapshot() const noexcept { return snapshot_; }

private:
    static snapshot_type take(const T& object, const Projection& project) {
        unobserved snapshot;
        return std::invoke(project, object);
    }

    bool unchanged() const noexcept {
        unobserved comparison;
        try {
            if constexpr (std::is_same_v<Projection, detail::copy_of>)
                return static_cast<bool>(object_ == snapshot_);
            else
                return static_cast<bool>(std::invoke(project_, object_) == snapshot_);
        } catch (...) {  // the projection could not be made again: nothing to compare with
            return true;
        }
    }

    const T& object_;
    Projection project_;
    snapshot_type snapshot_;
    int exceptions_;
};

template <class T>
strong_guarantee(const T&) -> strong_guarantee<T>;
template <class T, class Projection>
strong_guarantee(const T&, Projection) -> strong_guarantee<T, Projection>;

}  // namespace alloc_chaos

#endif
