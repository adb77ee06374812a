#pragma once

// Copies of a request's headers with one field changed or left out, for tests that tamper with
// a request (HttpHeaders itself only grows).

#include <string_view>

#include "common/http_headers.h"

namespace wharf::testing {

// `headers` with the value of every field named `name` (exactly) replaced by `value`.
inline HttpHeaders WithHeader(const HttpHeaders& headers, std::string_view name,
                              std::string_view value) {
  HttpHeaders out;
  for (const auto& [k, v] : headers) out.Add(k, k == name ? value : v);
  return out;
}

// `headers` without the fields named `name` (exactly).
inline HttpHeaders WithoutHeader(const HttpHeaders& headers, std::string_view name) {
  HttpHeaders out;
  for (const auto& [k, v] : headers) {
    if (k != name) out.Add(k, v);
  }
  return out;
}

}  // namespace wharf::testing
