#include "common/thread_name.h"

#include <pthread.h>

#include <algorithm>
#include <array>

namespace wharf {

void NameThisThread(std::string_view name) {
  // The kernel's limit: 16 bytes with the terminating zero (TASK_COMM_LEN); a longer name makes
  // pthread_setname_np fail with ERANGE instead of cutting it.
  std::array<char, 16> buffer{};
  const size_t length = std::min(name.size(), buffer.size() - 1);
  std::copy_n(name.data(), length, buffer.data());
  pthread_setname_np(pthread_self(), buffer.data());  // a name is a convenience: errors ignored
}

}  // namespace wharf
