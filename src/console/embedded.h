#pragma once

// The console's static files as the build embedded them (cmake/embed_files.cmake writes the
// definition from src/console/assets/). Internal to console.cc.

#include <array>
#include <cstddef>
#include <string_view>

namespace wharf::console {

struct EmbeddedFile {
  std::string_view name;  // relative to assets/, e.g. "app.js"
  std::string_view bytes;
};

inline constexpr size_t kEmbeddedFileCount = WHARF_CONSOLE_FILE_COUNT;
extern const std::array<EmbeddedFile, kEmbeddedFileCount> kEmbeddedFiles;

}  // namespace wharf::console
