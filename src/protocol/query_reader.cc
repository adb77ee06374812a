#include "protocol/query_reader.h"

#include <algorithm>

#include "common/base64.h"
#include "common/text.h"

namespace wharf::protocol {
namespace {

using api::ErrorCode;

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

void QueryReader::Fail(api::ApiError error) {
  if (status_->ok()) *status_ = std::move(error);
}

const std::string* QueryReader::Find(std::string_view name) const {
  std::string key = prefix_;
  key.append(name);
  auto it = std::lower_bound(params_.begin(), params_.end(), key,
                             [](const auto& p, const std::string& k) { return p.first < k; });
  if (it == params_.end() || it->first != key) return nullptr;
  return &it->second;
}

std::vector<uint32_t> QueryReader::Indexes(std::string_view flat) const {
  std::string start = prefix_;
  start.append(flat);
  start.push_back('.');
  std::vector<uint32_t> out;
  auto it = std::lower_bound(params_.begin(), params_.end(), start,
                             [](const auto& p, const std::string& k) { return p.first < k; });
  for (; it != params_.end() && StartsWith(it->first, start); ++it) {
    std::string_view rest = std::string_view(it->first).substr(start.size());
    size_t dot = rest.find('.');
    auto n = ParseInt64(rest.substr(0, dot));
    if (!n || *n < 1 || *n > 1'000'000) continue;  // not an index: ignore, as AWS does
    out.push_back(static_cast<uint32_t>(*n));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void QueryReader::String(api::Member m, std::optional<std::string>& value) {
  if (const std::string* v = Find(m.flat)) value = *v;
}

void QueryReader::String(api::Member m, std::string& value) {
  if (const std::string* v = Find(m.flat)) value = *v;
}

void QueryReader::Int(api::Member m, std::optional<int64_t>& value) {
  const std::string* v = Find(m.flat);
  if (!v) return;
  auto n = ParseInt64(*v);
  if (!n) {
    Fail(api::Error(ErrorCode::kInvalidParameterValue, "Value " + *v + " for parameter " +
                                                           std::string(m.flat) +
                                                           " is invalid. "
                                                           "Reason: Must be an integer."));
    return;
  }
  value = *n;
}

void QueryReader::Int(api::Member m, int64_t& value) {
  std::optional<int64_t> v;
  Int(m, v);
  if (v) value = *v;
}

void QueryReader::Bool(api::Member m, bool& value) {
  const std::string* v = Find(m.flat);
  if (!v) return;
  if (EqualsIgnoreCase(*v, "true")) {
    value = true;
  } else if (EqualsIgnoreCase(*v, "false")) {
    value = false;
  } else {
    Fail(api::Error(ErrorCode::kInvalidParameterValue,
                    "Value " + *v + " for parameter " + std::string(m.flat) + " is invalid."));
  }
}

void QueryReader::Blob(api::Member m, std::optional<std::string>& bytes) {
  const std::string* v = Find(m.flat);
  if (!v) return;
  auto decoded = Base64Decode(*v);
  if (!decoded) {
    Fail(api::Error(ErrorCode::kInvalidParameterValue,
                    "Value for parameter " + std::string(m.flat) +
                        " is invalid. Reason: Not a valid base64 encoded value."));
    return;
  }
  bytes = std::move(*decoded);
}

void QueryReader::StringList(api::Member m, std::vector<std::string>& list) {
  for (uint32_t n : Indexes(m.flat)) {
    std::string name(m.flat);
    name.push_back('.');
    name.append(std::to_string(n));
    if (const std::string* v = Find(name)) list.push_back(*v);
  }
}

void QueryReader::StringMap(api::Member m, api::MapNames names, api::StringPairs& map) {
  for (uint32_t n : Indexes(m.flat)) {
    std::string base(m.flat);
    base.push_back('.');
    base.append(std::to_string(n));
    base.push_back('.');
    const std::string* key = Find(base + std::string(names.key));
    if (!key) continue;
    const std::string* value = Find(base + std::string(names.value));
    map.emplace_back(*key, value ? *value : std::string());
  }
}

void QueryReader::StructList(api::Member m, api::ListRef& list) {
  for (uint32_t n : Indexes(m.flat)) {
    std::string nested = prefix_;
    nested.append(m.flat);
    nested.push_back('.');
    nested.append(std::to_string(n));
    nested.push_back('.');
    QueryReader reader(params_, std::move(nested), status_);
    list.AppendAndDescribe(reader);
  }
}

void QueryReader::Struct(api::Member m, api::StructRef& s) {
  std::string nested = prefix_;
  nested.append(m.flat);
  nested.push_back('.');
  auto it = std::lower_bound(params_.begin(), params_.end(), nested,
                             [](const auto& p, const std::string& k) { return p.first < k; });
  if (it == params_.end() || !StartsWith(it->first, nested)) return;  // absent
  QueryReader reader(params_, std::move(nested), status_);
  s.EmplaceAndDescribe(reader);
}

void QueryReader::StructMap(api::Member m, api::MapNames names, api::MapRef& map) {
  for (uint32_t n : Indexes(m.flat)) {
    std::string base(m.flat);
    base.push_back('.');
    base.append(std::to_string(n));
    base.push_back('.');
    const std::string* key = Find(base + std::string(names.key));
    if (!key) continue;
    std::string nested = prefix_ + base;
    nested.append(names.value);
    nested.push_back('.');
    QueryReader reader(params_, std::move(nested), status_);
    map.AppendAndDescribe(*key, reader);
  }
}

}  // namespace wharf::protocol
