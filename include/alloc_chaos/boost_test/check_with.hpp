#ifndef ALLOC_CHAOS_BOOST_TEST_CHECK_WITH_HPP
#define ALLOC_CHAOS_BOOST_TEST_CHECK_WITH_HPP

#include <alloc_chaos/checker.hpp>

#include <boost/test/tree/decorator.hpp>
#include <boost/test/tree/test_unit.hpp>

namespace alloc_chaos::boost_test {

// A Boost.Test decorator that gives the alloc-chaos cases it decorates their checker options:
//     BOOST_ALLOC_CHAOS_CASE(grows, *alloc_chaos::boost_test::check_with(alloc_chaos::checker{}.stability_runs(3)))
// On a suite it applies to every alloc-chaos case inside that has no check_with of its own.
class check_with : public boost::unit_test::decorator::base {
public:
    explicit check_with(const alloc_chaos::checker& options) : checker_(options) {}

    // The options the decorated cases run with.
    const alloc_chaos::checker& checker() const noexcept { return checker_; }

private:
    void apply(boost::unit_test::test_unit&) override {}  // read when the case runs
    boost::unit_test::decorator::base_ptr clone() const override {
        return boost::unit_test::decorator::base_ptr(new check_with(*this));
    }

    alloc_chaos::checker checker_;
};

}  // namespace alloc_chaos::boost_test

#endif
