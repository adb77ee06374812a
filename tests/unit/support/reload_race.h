#pragma once

// Reloads racing with requests, for the reload tests of the owners of keyed objects (iam, kms,
// sns): a reload must never install a state that misses a change this node made while it read.

#include <atomic>
#include <functional>
#include <thread>

namespace wharf::testing {

// Runs `reload` (anything returning a value with ok()) again and again on a thread of its own
// while `work` runs on this one, and until at least two reloads succeeded, then stops it. While
// the work keeps changing things a reload may give up ("try again"); the caller then checks that
// nothing the work did was undone. Returns the number of reloads that succeeded.
template <typename Reload>
int RaceReloads(Reload reload, const std::function<void()>& work) {
  std::atomic<bool> stop{false};
  std::atomic<int> reloads{0};
  std::thread reloader([&] {
    while (!stop.load()) {
      if (reload().ok()) reloads.fetch_add(1);
    }
  });
  work();
  while (reloads.load() < 2) std::this_thread::yield();
  stop.store(true);
  reloader.join();
  return reloads.load();
}

}  // namespace wharf::testing
