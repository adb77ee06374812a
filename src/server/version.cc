#include "server/version.h"

#include <openssl/crypto.h>
#include <rocksdb/version.h>

#include <boost/version.hpp>

#ifndef WHARF_VERSION
#error "WHARF_VERSION is defined by src/server/CMakeLists.txt from the project version"
#endif
#ifndef WHARF_BUILD_TYPE
#define WHARF_BUILD_TYPE "unknown"
#endif

namespace wharf::server {
namespace {

std::string Compiler() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "GCC " __VERSION__;
#else
  return "unknown compiler";
#endif
}

// Sanitizer builds are for tests only; say so where an operator would look.
std::string Instrumentation() {
  std::string out;
#if defined(__SANITIZE_ADDRESS__)
  out += " ASan";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  out += " ASan";
#endif
#endif
#if defined(__SANITIZE_THREAD__)
  out += " TSan";
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
  out += " TSan";
#endif
#endif
  return out.empty() ? std::string() : "," + out + " (not for production)";
}

std::string Dotted(int major, int minor, int patch) {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

}  // namespace

std::string VersionText(std::string_view commit) {
  std::string text = "wharf " WHARF_VERSION " (commit ";
  text.append(commit);
  text += ")\nbuild: " WHARF_BUILD_TYPE ", " + Compiler() + Instrumentation() + "\n";
  text += "libraries: RocksDB " + Dotted(ROCKSDB_MAJOR, ROCKSDB_MINOR, ROCKSDB_PATCH) + ", Boost " +
          Dotted(BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100) + ", " +
          OpenSSL_version(OPENSSL_VERSION);
  return text;
}

}  // namespace wharf::server
