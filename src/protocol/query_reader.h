#pragma once

// Fills a typed input from AWS Query parameters. Lists and maps are flattened with 1-based
// indexes (Entries → SendMessageBatchRequestEntry.N.Id, Attributes → Attribute.N.Name/.Value);
// indexes are collected, sorted numerically and gaps ignored (sqs-api.md §1.3.1). Members of a
// nested struct are read under the prefix "<List>.<N>.".

#include <string>

#include "api/error.h"
#include "api/visitor.h"
#include "protocol/protocol.h"

namespace wharf::protocol {

class QueryReader final : public api::Visitor {
 public:
  // `params` must be sorted by name; it must outlive the reader.
  QueryReader(const FormParams& params, std::string prefix, api::ApiStatus* status)
      : params_(params), prefix_(std::move(prefix)), status_(status) {}

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
  const std::string* Find(std::string_view name) const;
  // The distinct indexes N of parameters named "<prefix><flat>.N..." in ascending order, each
  // with whether the name ended right after N ("Flat.N") .
  std::vector<uint32_t> Indexes(std::string_view flat) const;
  void Fail(api::ApiError error);

  const FormParams& params_;
  std::string prefix_;
  api::ApiStatus* status_;
};

}  // namespace wharf::protocol
