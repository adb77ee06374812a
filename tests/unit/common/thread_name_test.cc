#include "common/thread_name.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "common/periodic_thread.h"

namespace wharf {
namespace {

std::string NameOfThisThread() {
  std::array<char, 16> name{};
  EXPECT_EQ(pthread_getname_np(pthread_self(), name.data(), name.size()), 0);
  return name.data();
}

// The name a new thread reports after naming itself `name`.
std::string NameTakenBy(std::string_view name) {
  std::string seen;
  std::thread([&] {
    NameThisThread(name);
    seen = NameOfThisThread();
  }).join();
  return seen;
}

TEST(ThreadNameTest, NamesTheCallingThread) {
  EXPECT_EQ(NameTakenBy("wharf-commit"), "wharf-commit");
}

// The kernel keeps 15 characters: a longer name is cut there instead of being refused (which
// would leave the thread named after the program).
TEST(ThreadNameTest, CutsANameLongerThanTheKernelKeeps) {
  EXPECT_EQ(NameTakenBy("wharf-a-very-long-thread-name"), "wharf-a-very-lo");
}

TEST(ThreadNameTest, APeriodicThreadCarriesItsName) {
  std::mutex mu;
  std::condition_variable ran;
  std::string seen;
  PeriodicThread thread;
  thread.Start("wharf-sweep", std::chrono::milliseconds(1), [&] {
    std::lock_guard lock(mu);
    seen = NameOfThisThread();
    ran.notify_all();
  });
  std::unique_lock lock(mu);
  ASSERT_TRUE(ran.wait_for(lock, std::chrono::seconds(30), [&] { return !seen.empty(); }));
  EXPECT_EQ(seen, "wharf-sweep");
}

}  // namespace
}  // namespace wharf
