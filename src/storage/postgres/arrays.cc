#include "storage/postgres/arrays.h"

namespace wharf::storage::pg {
namespace {

void AppendQuoted(std::string& out, std::string_view value) {
  out.push_back('"');
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace

Param TextArray(std::span<const std::optional<std::string>> values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    if (values[i]) {
      AppendQuoted(out, *values[i]);
    } else {
      out += "NULL";
    }
  }
  out.push_back('}');
  return Param::Text(std::move(out));
}

Param TextArray(std::span<const std::string> values) {
  std::vector<std::optional<std::string>> optional(values.begin(), values.end());
  return TextArray(std::span<const std::optional<std::string>>(optional));
}

Param IntArray(std::span<const int64_t> values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += std::to_string(values[i]);
  }
  out.push_back('}');
  return Param::Text(std::move(out));
}

Param IntOrNullArray(std::span<const std::optional<int64_t>> values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += values[i] ? std::to_string(*values[i]) : "NULL";
  }
  out.push_back('}');
  return Param::Text(std::move(out));
}

Param BytesArray(std::span<const std::string> values) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::vector<std::optional<std::string>> hex;
  hex.reserve(values.size());
  for (const std::string& bytes : values) {
    std::string text = "\\x";
    text.reserve(2 + bytes.size() * 2);
    for (unsigned char c : bytes) {
      text.push_back(kHex[c >> 4]);
      text.push_back(kHex[c & 0xf]);
    }
    hex.push_back(std::move(text));
  }
  return TextArray(std::span<const std::optional<std::string>>(hex));
}

}  // namespace wharf::storage::pg
