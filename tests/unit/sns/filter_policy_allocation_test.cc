// Matching runs for every subscription on every Publish, so it must not allocate: checked here
// by counting global operator new calls (this binary replaces it) around Matches/MatchesBody.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "sns/filter_policy.h"

namespace {
std::atomic<long> allocations{0};

// The whole non-aligned family is replaced, so that every block is freed by the allocator that
// made it (simdjson allocates with new (std::nothrow) and new[]).
void* CountedAllocate(std::size_t size) noexcept {
  allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
}  // namespace

void* operator new(std::size_t size) {
  if (void* p = CountedAllocate(size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  if (void* p = CountedAllocate(size)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return CountedAllocate(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return CountedAllocate(size);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace wharf::sns {
namespace {

template <typename F>
long AllocationsDuring(F&& f) {
  long before = allocations.load();
  f();
  return allocations.load() - before;
}

constexpr std::string_view kPolicy =
    R"({"store":["example_corp",{"prefix":"ex"}],"price":[{"numeric":[">",0,"<=",100]}],)"
    R"("$or":[{"tags":[{"anything-but":["spam"]}]},{"missing":[{"exists":false}]}]})";

TEST(FilterPolicyAllocationTest, TheCounterSeesAllocations) {
  // Control: parsing allocates (the compiled policy), so a zero below is not a dead counter.
  EXPECT_GT(AllocationsDuring([] {
              FilterPolicy::Parse(kPolicy, FilterPolicyScope::kMessageAttributes).IgnoreError();
            }),
            0);
}

TEST(FilterPolicyAllocationTest, StringAndNumberAttributesAllocateNothing) {
  FilterPolicy policy = FilterPolicy::Parse(kPolicy, FilterPolicyScope::kMessageAttributes).value();
  const FilterAttribute attributes[] = {
      {"store", "String", "example_corp"}, {"price", "Number", "99.5"}, {"tags", "String", "x"}};
  bool matched = false;
  EXPECT_EQ(AllocationsDuring([&] { matched = policy.Matches(attributes); }), 0);
  EXPECT_TRUE(matched);
}

TEST(FilterPolicyAllocationTest, StringArrayAndBodyAllocateNothingOnceWarm) {
  FilterPolicy attributes_policy =
      FilterPolicy::Parse(kPolicy, FilterPolicyScope::kMessageAttributes).value();
  const FilterAttribute attributes[] = {{"store", "String", "example_corp"},
                                        {"price", "Number", "1"},
                                        {"tags", "String.Array", R"(["spam","ham"])"}};
  FilterPolicy body_policy = FilterPolicy::Parse(kPolicy, FilterPolicyScope::kMessageBody).value();
  const std::string body = R"({"store":"example_corp","price":1,"tags":["spam","ham"]})";
  // The first calls size this thread's parser; later ones reuse it.
  ASSERT_TRUE(attributes_policy.Matches(attributes));
  ASSERT_TRUE(body_policy.MatchesBody(body));
  bool matched = false;
  EXPECT_EQ(AllocationsDuring([&] { matched = attributes_policy.Matches(attributes); }), 0);
  EXPECT_TRUE(matched);
  EXPECT_EQ(AllocationsDuring([&] { matched = body_policy.MatchesBody(body); }), 0);
  EXPECT_TRUE(matched);
}

}  // namespace
}  // namespace wharf::sns
