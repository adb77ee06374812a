#pragma once

// A fresh directory under the system temporary directory, removed with everything in it: for the
// unit tests that need real files (stores, key files). Every test binary can include it.

#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>

namespace wharf::testing {

class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "wharf-test") {
    std::random_device random;
    std::ostringstream name;
    name << prefix << '-' << std::hex << random() << random();
    path_ = std::filesystem::temp_directory_path() / name.str();
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Where a store keeps its files (a subdirectory, so the backend creates it itself).
  std::string db() const { return (path_ / "db").string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace wharf::testing
