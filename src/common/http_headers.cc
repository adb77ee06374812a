#include "common/http_headers.h"

#include "common/text.h"

namespace wharf {

HttpHeaders::HttpHeaders(std::initializer_list<Field> fields) {
  size_t bytes = 0;
  for (const Field& f : fields) bytes += f.name.size() + f.value.size();
  Reserve(fields.size(), bytes);
  for (const Field& f : fields) Add(f.name, f.value);
}

void HttpHeaders::Add(std::string_view name, std::string_view value) {
  // Header sections are limited to far less than 4 GiB (net::kHeaderLimit, max_header_bytes).
  spans_.push_back({static_cast<uint32_t>(text_.size()), static_cast<uint32_t>(name.size()),
                    static_cast<uint32_t>(value.size())});
  text_.append(name);
  text_.append(value);
}

std::string_view HttpHeaders::Get(std::string_view name) const {
  const char* text = text_.data();
  for (const Span& span : spans_) {
    if (span.name_size == name.size() && EqualsIgnoreCase({text + span.at, span.name_size}, name)) {
      return {text + span.at + span.name_size, span.value_size};
    }
  }
  return {};
}

}  // namespace wharf
