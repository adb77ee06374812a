#include "protocol/writers.h"

#include "common/base64.h"
#include "protocol/escape.h"

namespace wharf::protocol {

// --- XML ------------------------------------------------------------------------------------

void XmlWriter::Open(std::string_view name) {
  out_.push_back('<');
  out_.append(name);
  out_.push_back('>');
}

void XmlWriter::Close(std::string_view name) {
  out_.append("</");
  out_.append(name);
  out_.push_back('>');
}

void XmlWriter::Element(std::string_view name, std::string_view text) {
  Open(name);
  AppendXmlEscaped(out_, text);
  Close(name);
}

void XmlWriter::String(api::Member m, std::optional<std::string>& value) {
  if (value) Element(m.flat, *value);
}
void XmlWriter::String(api::Member m, std::string& value) { Element(m.flat, value); }
void XmlWriter::Int(api::Member m, std::optional<int64_t>& value) {
  if (value) Element(m.flat, std::to_string(*value));
}
void XmlWriter::Int(api::Member m, int64_t& value) { Element(m.flat, std::to_string(value)); }
void XmlWriter::Bool(api::Member m, bool& value) { Element(m.flat, value ? "true" : "false"); }
void XmlWriter::Blob(api::Member m, std::optional<std::string>& bytes) {
  if (bytes) Element(m.flat, Base64Encode(*bytes));
}

namespace {

// "Users.member" → {"Users", "member"}; a flattened list has no wrapper.
std::pair<std::string_view, std::string_view> SplitWrapped(std::string_view flat) {
  const size_t dot = flat.find('.');
  if (dot == std::string_view::npos) return {{}, flat};
  return {flat.substr(0, dot), flat.substr(dot + 1)};
}

}  // namespace

void XmlWriter::StringList(api::Member m, std::vector<std::string>& list) {
  const auto [wrapper, item_name] = SplitWrapped(m.flat);
  if (!wrapper.empty()) Open(wrapper);
  for (const std::string& item : list) Element(item_name, item);
  if (!wrapper.empty()) Close(wrapper);
}

void XmlWriter::StringMap(api::Member m, api::MapNames names, api::StringPairs& map) {
  // SNS wraps its maps: "Attributes.entry" → <Attributes><entry><key/><value/></entry>…
  const auto [wrapper, entry_name] = SplitWrapped(m.flat);
  if (!wrapper.empty()) Open(wrapper);
  for (const auto& [key, value] : map) {
    Open(entry_name);
    Element(names.key, key);
    Element(names.value, value);
    Close(entry_name);
  }
  if (!wrapper.empty()) Close(wrapper);
}

void XmlWriter::StructList(api::Member m, api::ListRef& list) {
  const auto [wrapper, item_name] = SplitWrapped(m.flat);
  if (!wrapper.empty()) Open(wrapper);
  for (size_t i = 0; i < list.size(); ++i) {
    Open(item_name);
    list.DescribeAt(i, *this);
    Close(item_name);
  }
  if (!wrapper.empty()) Close(wrapper);
}

void XmlWriter::Struct(api::Member m, api::StructRef& s) {
  if (!s.present()) return;
  Open(m.flat);
  s.Describe(*this);
  Close(m.flat);
}

void XmlWriter::StructMap(api::Member m, api::MapNames names, api::MapRef& map) {
  for (size_t i = 0; i < map.size(); ++i) {
    Open(m.flat);
    Element(names.key, map.KeyAt(i));
    Open(names.value);
    map.DescribeAt(i, *this);
    Close(names.value);
    Close(m.flat);
  }
}

// --- JSON -----------------------------------------------------------------------------------

void JsonWriter::BeginObject() {
  out_.push_back('{');
  first_ = true;
}
void JsonWriter::EndObject() {
  out_.push_back('}');
  first_ = false;
}

void JsonWriter::Quoted(std::string_view text) {
  out_.push_back('"');
  AppendJsonEscaped(out_, text);
  out_.push_back('"');
}

void JsonWriter::Key(std::string_view name) {
  if (!first_) out_.push_back(',');
  first_ = false;
  Quoted(name);
  out_.push_back(':');
}

void JsonWriter::String(api::Member m, std::optional<std::string>& value) {
  if (!value) return;
  Key(m.json);
  Quoted(*value);
}
void JsonWriter::String(api::Member m, std::string& value) {
  Key(m.json);
  Quoted(value);
}
void JsonWriter::Int(api::Member m, std::optional<int64_t>& value) {
  if (!value) return;
  Key(m.json);
  out_.append(std::to_string(*value));
}
void JsonWriter::Int(api::Member m, int64_t& value) {
  Key(m.json);
  out_.append(std::to_string(value));
}
void JsonWriter::Bool(api::Member m, bool& value) {
  Key(m.json);
  out_.append(value ? "true" : "false");
}
void JsonWriter::Blob(api::Member m, std::optional<std::string>& bytes) {
  if (!bytes) return;
  Key(m.json);
  Quoted(Base64Encode(*bytes));
}

void JsonWriter::StringList(api::Member m, std::vector<std::string>& list) {
  StringList(m, list, false);
}

void JsonWriter::StringList(api::Member m, std::vector<std::string>& list, bool keep_empty) {
  if (list.empty() && !keep_empty) return;
  Key(m.json);
  out_.push_back('[');
  for (size_t i = 0; i < list.size(); ++i) {
    if (i) out_.push_back(',');
    Quoted(list[i]);
  }
  out_.push_back(']');
}

void JsonWriter::StringMap(api::Member m, api::MapNames, api::StringPairs& map) {
  if (map.empty()) return;
  Key(m.json);
  out_.push_back('{');
  for (size_t i = 0; i < map.size(); ++i) {
    if (i) out_.push_back(',');
    Quoted(map[i].first);
    out_.push_back(':');
    Quoted(map[i].second);
  }
  out_.push_back('}');
}

void JsonWriter::StructList(api::Member m, api::ListRef& list) { StructList(m, list, false); }

void JsonWriter::StructList(api::Member m, api::ListRef& list, bool keep_empty) {
  if (list.size() == 0 && !keep_empty) return;
  Key(m.json);
  out_.push_back('[');
  for (size_t i = 0; i < list.size(); ++i) {
    if (i) out_.push_back(',');
    JsonWriter nested(out_);
    nested.BeginObject();
    list.DescribeAt(i, nested);
    nested.EndObject();
  }
  out_.push_back(']');
}

void JsonWriter::StructMap(api::Member m, api::MapNames, api::MapRef& map) {
  if (map.size() == 0) return;
  Key(m.json);
  out_.push_back('{');
  for (size_t i = 0; i < map.size(); ++i) {
    if (i) out_.push_back(',');
    Quoted(map.KeyAt(i));
    out_.push_back(':');
    JsonWriter nested(out_);
    nested.BeginObject();
    map.DescribeAt(i, nested);
    nested.EndObject();
  }
  out_.push_back('}');
}

}  // namespace wharf::protocol

namespace wharf::protocol {

void JsonWriter::Struct(api::Member m, api::StructRef& s) {
  if (!s.present()) return;
  Key(m.json);
  JsonWriter nested(out_);
  nested.BeginObject();
  s.Describe(nested);
  nested.EndObject();
}

}  // namespace wharf::protocol
