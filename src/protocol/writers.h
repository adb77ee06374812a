#pragma once

// Encoders: Visitors that read a described output struct and append XML (AWS Query) or JSON.

#include <string>

#include "api/visitor.h"

namespace wharf::protocol {

// Appends the members as XML elements named by their `flat` names, lists and maps flattened
// (sqs-api.md §1.3.2). Absent optional members and empty lists are omitted. Wrapped lists
// ("Users.member", IAM) are written as <Users><member>…</member></Users>, also when empty;
// wrapped maps ("Attributes.entry", SNS) as <Attributes><entry><key>…</key><value>…</value>
// </entry></Attributes>.
class XmlWriter final : public api::Visitor {
 public:
  explicit XmlWriter(std::string& out) : out_(out) {}

  void String(api::Member m, std::optional<std::string>& value) override;
  void String(api::Member m, std::string& value) override;
  void Int(api::Member m, std::optional<int64_t>& value) override;
  void Int(api::Member m, int64_t& value) override;
  void Bool(api::Member m, bool& value) override;
  void Blob(api::Member m, std::optional<std::string>& bytes) override;
  void StringList(api::Member m, std::vector<std::string>& list) override;
  void StringMap(api::Member m, api::MapNames names, api::StringPairs& map) override;
  void StructList(api::Member m, api::ListRef& list) override;
  void StructMap(api::Member m, api::MapNames names, api::MapRef& map) override;
  void Struct(api::Member m, api::StructRef& s) override;

 private:
  void Element(std::string_view name, std::string_view text);
  void Open(std::string_view name);
  void Close(std::string_view name);

  std::string& out_;
};

// Appends the members as one JSON object (sqs-api.md §1.4.2): absent optional members and
// empty lists/maps are omitted (unless a list asks to be kept), integers are numbers.
class JsonWriter final : public api::Visitor {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}
  void BeginObject();
  void EndObject();

  void String(api::Member m, std::optional<std::string>& value) override;
  void String(api::Member m, std::string& value) override;
  void Int(api::Member m, std::optional<int64_t>& value) override;
  void Int(api::Member m, int64_t& value) override;
  void Bool(api::Member m, bool& value) override;
  void Blob(api::Member m, std::optional<std::string>& bytes) override;
  void StringList(api::Member m, std::vector<std::string>& list) override;
  void StringList(api::Member m, std::vector<std::string>& list, bool keep_empty) override;
  void StringMap(api::Member m, api::MapNames names, api::StringPairs& map) override;
  void StructList(api::Member m, api::ListRef& list) override;
  void StructList(api::Member m, api::ListRef& list, bool keep_empty) override;
  void StructMap(api::Member m, api::MapNames names, api::MapRef& map) override;
  void Struct(api::Member m, api::StructRef& s) override;

 private:
  void Key(std::string_view name);
  void Quoted(std::string_view text);

  std::string& out_;
  bool first_ = true;
};

}  // namespace wharf::protocol
