#pragma once

// The header fields of an HTTP request, in the order received and with names as received. Every
// name and value lives in one buffer and a field is a pair of offsets into it, so a request's
// headers cost two allocations (the buffer and the offsets), not two strings per field, and
// copies and moves need no fixing up. Shared by net/ (which fills it) and auth/ (SigV4 reads it).

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace wharf {

class HttpHeaders {
  struct Span {
    uint32_t at;  // the name starts here; the value follows it directly
    uint32_t name_size;
    uint32_t value_size;
    bool operator==(const Span&) const = default;
  };

 public:
  // Views into the headers: valid until they are changed or destroyed.
  struct Field {
    std::string_view name;
    std::string_view value;
  };

  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Field;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Field;

    Iterator() = default;
    Field operator*() const { return FieldOf(text_, *span_); }
    Iterator& operator++() {
      ++span_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      ++span_;
      return before;
    }
    bool operator==(const Iterator& other) const { return span_ == other.span_; }

   private:
    friend class HttpHeaders;
    Iterator(const char* text, const Span* span) : text_(text), span_(span) {}
    const char* text_ = nullptr;
    const Span* span_ = nullptr;
  };

  HttpHeaders() = default;
  HttpHeaders(std::initializer_list<Field> fields);

  // Room for `fields` more fields holding `bytes` more bytes of names and values, so that adding
  // them allocates nothing.
  void Reserve(size_t fields, size_t bytes) {
    spans_.reserve(spans_.size() + fields);
    text_.reserve(text_.size() + bytes);
  }
  // `name` and `value` are copied; they must not be views into these headers.
  void Add(std::string_view name, std::string_view value);

  // The first field with this name, case-insensitively; "" when absent.
  std::string_view Get(std::string_view name) const;

  size_t size() const { return spans_.size(); }
  bool empty() const { return spans_.empty(); }
  Field operator[](size_t i) const { return FieldOf(text_.data(), spans_[i]); }
  Iterator begin() const { return {text_.data(), spans_.data()}; }
  Iterator end() const { return {text_.data(), spans_.data() + spans_.size()}; }

  // The same fields in the same order (fields are laid out in the order added, so this is a
  // comparison of the members).
  bool operator==(const HttpHeaders&) const = default;

 private:
  static Field FieldOf(const char* text, const Span& span) {
    return {{text + span.at, span.name_size}, {text + span.at + span.name_size, span.value_size}};
  }

  std::string text_;
  std::vector<Span> spans_;
};

}  // namespace wharf
