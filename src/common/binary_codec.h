#pragma once

// Little helpers for versioned on-disk records: fixed-width big-endian integers (so keys sort
// numerically as bytes), varints and length-prefixed strings. Readers never read past the end:
// a truncated or garbled record makes them fail, and the caller reports corruption. Readers
// accept only what the writer produces (minimal varints, booleans 0 and 1), so every value has
// one encoding and a record decodes only from the bytes its encoding would be.

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/optional_text.h"

namespace wharf {

class BinaryWriter {
 public:
  explicit BinaryWriter(std::string& out) : out_(out) {}

  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void BigEndian64(uint64_t v) {
    for (int i = 7; i >= 0; --i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void Signed(int64_t v) {
    Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void Bool(bool v) { U8(v ? 1 : 0); }
  void Bytes(std::string_view v) {
    Varint(v.size());
    out_.append(v);
  }
  void OptionalBytes(const std::optional<std::string>& v) {
    Bool(v.has_value());
    if (v) Bytes(*v);
  }
  // Exactly an OptionalText or RareText (a template, so a std::string or std::nullopt argument
  // still picks the std::optional overload above, and neither is copied into a std::optional).
  template <class T>
  requires std::same_as<T, OptionalText> || std::same_as<T, RareText>
  void OptionalBytes(const T& v) {
    Bool(v.has_value());
    if (v) Bytes(*v);
  }

 private:
  std::string& out_;
};

class BinaryReader {
 public:
  explicit BinaryReader(std::string_view in) : in_(in) {}

  bool ok() const { return ok_; }
  bool done() const { return pos_ == in_.size(); }
  // Bytes read so far.
  size_t position() const { return pos_; }

  uint8_t U8() {
    if (!Need(1)) return 0;
    return static_cast<uint8_t>(in_[pos_++]);
  }
  uint64_t BigEndian64() {
    if (!Need(8)) return 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in_[pos_++]);
    return v;
  }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!Need(1)) return 0;
      auto b = static_cast<uint8_t>(in_[pos_++]);
      if (shift == 63 && b > 1) break;  // more than 64 bits
      // A last byte of 0 after the first is an overlong form the writer never produces: so a
      // damaged record cannot pass for the encoding of another.
      if (b == 0 && shift > 0) break;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    ok_ = false;
    return 0;
  }
  int64_t Signed() {
    uint64_t u = Varint();
    return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  // Only the bytes the writer produces (0, 1); anything else is damage.
  bool Bool() {
    const uint8_t v = U8();
    if (v > 1) ok_ = false;
    return v == 1;
  }
  std::string Bytes() {
    uint64_t n = Varint();
    if (!Need(n)) return {};
    std::string v(in_.substr(pos_, n));
    pos_ += n;
    return v;
  }
  std::optional<std::string> OptionalBytes() {
    if (!Bool()) return std::nullopt;
    return Bytes();
  }

 private:
  bool Need(uint64_t n) {
    if (!ok_ || in_.size() - pos_ < n) {
      ok_ = false;
      return false;
    }
    return true;
  }

  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace wharf
