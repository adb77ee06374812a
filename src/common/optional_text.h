#pragma once

// An optional text that is never present and empty, kept as a std::string whose empty value
// means absent: 32 bytes, against 40 for a std::optional<std::string>. A message keeps five
// (its group and deduplication ids, 1-128 characters when present; its trace header; the MD5s
// of its attributes), and the eight bytes of each decide the size class of its block
// (sqs/engine/message.h). Reads like a std::optional<std::string>; assigning an empty string
// makes it absent, so it is only for fields whose present values are never empty.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace wharf {

class OptionalText {
 public:
  OptionalText() = default;
  OptionalText(std::nullopt_t) {}                             // NOLINT
  OptionalText(std::string text) : text_(std::move(text)) {}  // NOLINT
  OptionalText(const char* text) : text_(text) {}             // NOLINT
  OptionalText(std::optional<std::string> text)               // NOLINT
      : text_(text ? std::move(*text) : std::string()) {}

  OptionalText& operator=(std::nullopt_t) {
    text_.clear();
    return *this;
  }

  bool has_value() const { return !text_.empty(); }
  explicit operator bool() const { return has_value(); }
  const std::string& operator*() const { return text_; }
  std::string& operator*() { return text_; }
  const std::string* operator->() const { return &text_; }
  std::string* operator->() { return &text_; }
  const std::string& value() const { return text_; }
  std::string value_or(std::string_view fallback) const {
    return has_value() ? text_ : std::string(fallback);
  }
  void reset() { text_.clear(); }
  // The text, empty when absent.
  std::string_view view() const { return text_; }

  operator std::optional<std::string>() const {  // NOLINT
    return has_value() ? std::optional<std::string>(text_) : std::nullopt;
  }

  friend bool operator==(const OptionalText& a, const OptionalText& b) = default;
  friend bool operator==(const OptionalText& a, std::nullopt_t) { return !a.has_value(); }
  friend bool operator==(const OptionalText& a, const std::optional<std::string>& b) {
    return b ? a.text_ == *b : !a.has_value();
  }
  // As a std::optional<std::string> compares with a text: present and equal.
  friend bool operator==(const OptionalText& a, std::string_view b) {
    return a.has_value() && a.text_ == b;
  }
  friend bool operator==(const OptionalText& a, const std::string& b) {
    return a.has_value() && a.text_ == b;
  }
  friend bool operator==(const OptionalText& a, const char* b) {
    return a.has_value() && a.text_ == b;
  }

 private:
  std::string text_;
};

// An optional text behind a pointer: 8 bytes while absent, a heap block when present. For the
// fields a message rarely has (its trace header and the MD5 of its system attributes: only when
// a client sends system attributes or an X-Ray trace id), where the 32 bytes of an OptionalText
// would decide the message block's size class for nothing. Reads like OptionalText; the same
// rule holds: assigning an empty string makes it absent.
class RareText {
 public:
  RareText() = default;
  RareText(std::nullopt_t) {}                           // NOLINT
  RareText(std::string text) { Set(std::move(text)); }  // NOLINT
  RareText(const char* text) { Set(text); }             // NOLINT
  RareText(std::optional<std::string> text) {           // NOLINT
    if (text) Set(std::move(*text));
  }
  RareText(const RareText& other) { *this = other; }
  RareText& operator=(const RareText& other) {
    if (this != &other) text_ = other.text_ ? std::make_unique<std::string>(*other.text_) : nullptr;
    return *this;
  }
  RareText(RareText&&) noexcept = default;
  RareText& operator=(RareText&&) noexcept = default;

  bool has_value() const { return text_ != nullptr; }
  explicit operator bool() const { return has_value(); }
  // The text; the empty string when absent.
  const std::string& operator*() const { return text_ ? *text_ : Empty(); }
  const std::string* operator->() const { return &**this; }
  const std::string& value() const { return **this; }
  void reset() { text_.reset(); }
  std::string_view view() const { return **this; }

  operator std::optional<std::string>() const {  // NOLINT
    return has_value() ? std::optional<std::string>(*text_) : std::nullopt;
  }

  friend bool operator==(const RareText& a, const RareText& b) { return a.view() == b.view(); }
  friend bool operator==(const RareText& a, std::nullopt_t) { return !a.has_value(); }
  friend bool operator==(const RareText& a, const std::optional<std::string>& b) {
    return b ? a.has_value() && *a == *b : !a.has_value();
  }
  friend bool operator==(const RareText& a, std::string_view b) { return a.has_value() && *a == b; }
  friend bool operator==(const RareText& a, const std::string& b) {
    return a.has_value() && *a == b;
  }
  friend bool operator==(const RareText& a, const char* b) { return a.has_value() && *a == b; }

 private:
  void Set(std::string text) {
    text_ = text.empty() ? nullptr : std::make_unique<std::string>(std::move(text));
  }
  static const std::string& Empty() {
    static const std::string empty;
    return empty;
  }

  std::unique_ptr<std::string> text_;
};

}  // namespace wharf
