#pragma once

// Names the calling thread as `top -H`, `ps -L`, perf and /proc/<pid>/task/*/comm show it, so
// that the server's threads can be told apart when measuring where time goes (the committer, an
// I/O thread, the timer thread) instead of all showing the program's name. Linux keeps at most 15
// characters; a longer name is cut.

#include <string_view>

namespace wharf {

void NameThisThread(std::string_view name);

}  // namespace wharf
