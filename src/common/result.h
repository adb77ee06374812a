#pragma once

// Errors are values. Status<E> is "ok or an error E"; Result<T, E> is "a T or an error E".
// Both are [[nodiscard]]: dropping one on purpose is spelled IgnoreError() so it can be found.
// Each module picks its own closed error type E; mapping between modules is an explicit switch.

#include <cassert>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace wharf {

template <typename E>
class [[nodiscard]] Status {
 public:
  Status() = default;                            // ok
  Status(E error) : error_(std::move(error)) {}  // NOLINT: implicit from an error is the point

  static Status Ok() { return Status(); }

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const E& error() const& {
    assert(!ok());
    return *error_;
  }
  E&& error() && {
    assert(!ok());
    return std::move(*error_);
  }
  void IgnoreError() const {}

 private:
  std::optional<E> error_;
};

template <typename T, typename E>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}                    // NOLINT
  Result(E error) : v_(std::in_place_index<1>, std::move(error)) {}                    // NOLINT
  Result(Status<E> status) : v_(std::in_place_index<1>, std::move(status).error()) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const E& error() const& {
    assert(!ok());
    return std::get<1>(v_);
  }
  E&& error() && {
    assert(!ok());
    return std::get<1>(std::move(v_));
  }
  Status<E> status() const& { return ok() ? Status<E>() : Status<E>(error()); }
  void IgnoreError() const {}

 private:
  std::variant<T, E> v_;
};

}  // namespace wharf

// Returns early with the error of a Status/Result expression.
#define WHARF_RETURN_IF_ERROR(expr)            \
  do {                                         \
    auto wharf_status_ = (expr);               \
    if (!wharf_status_.ok()) {                 \
      return std::move(wharf_status_).error(); \
    }                                          \
  } while (0)

#define WHARF_CONCAT_INNER_(a, b) a##b
#define WHARF_CONCAT_(a, b) WHARF_CONCAT_INNER_(a, b)
#define WHARF_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return std::move(tmp).error();      \
  lhs = std::move(tmp).value()

// lhs = value of a Result expression, or return its error.
#define WHARF_ASSIGN_OR_RETURN(lhs, expr) \
  WHARF_ASSIGN_OR_RETURN_IMPL_(WHARF_CONCAT_(wharf_result_, __LINE__), lhs, expr)
