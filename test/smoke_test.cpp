#define BOOST_TEST_MODULE smoke
#include <boost/test/unit_test.hpp>
#include <alloc_chaos/alloc_chaos.hpp>
#include <vector>
#include <memory_resource>
#include <iostream>
BOOST_AUTO_TEST_CASE(smoke) {
  auto r = alloc_chaos::check([] { std::vector<int> v; for (int i = 0; i < 5; ++i) v.push_back(i); });
  std::cout << r;
  BOOST_TEST(r.success());
  alloc_chaos::chaos_memory_resource res;
  auto r2 = alloc_chaos::checker{}.stability_runs(2).run([&] { std::pmr::vector<int> v(&res); v.push_back(1); v.push_back(2); throw std::runtime_error("x"); });
  std::cout << r2;
  auto r3 = alloc_chaos::checker{}.failure_range(1,7).run([&] { std::pmr::vector<int> v(&res); v.push_back(1); v.push_back(2); if (v.size()==2) { try { v.push_back(3);} catch(...) {throw std::logic_error("wrong");}} });
  std::cout << r3;
}
