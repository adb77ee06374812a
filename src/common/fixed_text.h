#pragma once

// Text of at most N bytes kept inline, with no heap block: for short values of a fixed format
// that the engine keeps once per message, a million times over — a message id (a UUID, 36
// characters), the MD5 of a body (32 hex digits). A std::string holding either takes 32 bytes
// plus a 48-byte heap block (past its 15-character inline buffer); this takes N + 1.
//
// The caller keeps values within N bytes: ids and digests the server makes always fit, and the
// decoders of stored records check the length (Fits) before they assign. A longer value would be
// cut at N bytes.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace wharf {

template <size_t N>
class FixedText {
  static_assert(N > 0 && N < 256, "the length is kept in one byte");

 public:
  FixedText() = default;
  FixedText(std::string_view text) { Assign(text); }    // NOLINT: stands in for a std::string
  FixedText(const std::string& text) { Assign(text); }  // NOLINT
  FixedText(const char* text) { Assign(text); }         // NOLINT

  FixedText& operator=(std::string_view text) {
    Assign(text);
    return *this;
  }
  FixedText& operator=(const std::string& text) {
    Assign(text);
    return *this;
  }
  FixedText& operator=(const char* text) {
    Assign(text);
    return *this;
  }

  static constexpr bool Fits(std::string_view text) { return text.size() <= N; }

  std::string_view view() const { return {data_, size_}; }
  operator std::string_view() const { return view(); }          // NOLINT
  operator std::string() const { return std::string(view()); }  // NOLINT
  std::string str() const { return std::string(view()); }
  const char* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  friend bool operator==(const FixedText& a, const FixedText& b) { return a.view() == b.view(); }
  friend bool operator==(const FixedText& a, std::string_view b) { return a.view() == b; }
  friend bool operator==(const FixedText& a, const std::string& b) { return a.view() == b; }
  friend bool operator==(const FixedText& a, const char* b) { return a.view() == b; }
  char operator[](size_t i) const { return data_[i]; }

 private:
  void Assign(std::string_view text) {
    size_ = static_cast<uint8_t>(std::min(text.size(), N));
    std::memcpy(data_, text.data(), size_);
  }

  char data_[N] = {};
  uint8_t size_ = 0;
};

}  // namespace wharf
