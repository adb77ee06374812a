#pragma once

// What `wharf --version` prints: the release, the commit the binary was built from, and how it
// was built (build type, compiler, sanitizers, allocator) with the versions of the libraries
// that decide its behaviour on disk and on the wire, so a bug report names the build exactly.

#include <string>
#include <string_view>

namespace wharf::server {

// `commit`: the git commit (short hash, "-dirty" when built from changed files), which the
// executable gets from a file generated at build time (cmake/build_info.cmake).
std::string VersionText(std::string_view commit);

}  // namespace wharf::server
