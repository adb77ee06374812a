#pragma once

// One description per shape drives every codec. Each input/output struct has
//   void Describe(Visitor& v)
// that names its members once; the Query decoder, the JSON decoder, the XML encoder and the
// JSON encoder are Visitors that fill or read the members through the same references.
//
// A Member names a field on each wire: `json` is the JSON member name; `flat` is the Query
// parameter prefix and the XML element name (AWS Query flattens lists: Entries in JSON is
// SendMessageBatchRequestEntry.N in Query and repeated <SendMessageBatchResultEntry> in XML).
// IAM and STS wrap their lists instead: a `flat` name with a dot, "Users.member", is the
// Query prefix Users.member.N and the XML <Users><member>…</member></Users> (always written,
// empty or not).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wharf::api {

struct Member {
  constexpr Member(const char* name) : json(name), flat(name) {}  // NOLINT: same on both wires
  constexpr Member(std::string_view json_name, std::string_view flat_name)
      : json(json_name), flat(flat_name) {}
  std::string_view json;
  std::string_view flat;
};

// Key/value names inside a flattened map entry: Attribute.N.Name / Attribute.N.Value,
// Tag.N.Key / Tag.N.Value.
struct MapNames {
  std::string_view key;
  std::string_view value;
};
inline constexpr MapNames kNameValue{"Name", "Value"};
inline constexpr MapNames kKeyValue{"Key", "Value"};

using StringPairs = std::vector<std::pair<std::string, std::string>>;
// The value of the first pair named `name` (attribute lists are small and unsorted), or null.
inline const std::string* Find(const StringPairs& pairs, std::string_view name) {
  for (const auto& [key, value] : pairs) {
    if (key == name) return &value;
  }
  return nullptr;
}

class Visitor;

// Type-erased access to a std::optional<T> of a described struct (IAM's <User>…</User>).
class StructRef {
 public:
  virtual ~StructRef() = default;
  virtual bool present() const = 0;
  virtual void Describe(Visitor& v) = 0;  // requires present()
  virtual void EmplaceAndDescribe(Visitor& v) = 0;
};

// Type-erased access to a std::vector<T> of described structs.
class ListRef {
 public:
  virtual ~ListRef() = default;
  virtual size_t size() const = 0;
  virtual void DescribeAt(size_t i, Visitor& v) = 0;
  virtual void AppendAndDescribe(Visitor& v) = 0;
};

// Type-erased access to a std::vector<std::pair<std::string, T>> of described structs.
class MapRef {
 public:
  virtual ~MapRef() = default;
  virtual size_t size() const = 0;
  virtual const std::string& KeyAt(size_t i) const = 0;
  virtual void DescribeAt(size_t i, Visitor& v) = 0;
  virtual void AppendAndDescribe(std::string key, Visitor& v) = 0;
};

class Visitor {
 public:
  virtual ~Visitor() = default;
  // Decoders fill members; encoders read them. Optional members are omitted when empty.
  virtual void String(Member m, std::optional<std::string>& value) = 0;
  virtual void String(Member m, std::string& value) = 0;  // always present on output
  virtual void Int(Member m, std::optional<int64_t>& value) = 0;
  virtual void Int(Member m, int64_t& value) = 0;
  virtual void Bool(Member m, bool& value) = 0;
  virtual void Blob(Member m, std::optional<std::string>& bytes) = 0;  // base64 on the wire
  virtual void StringList(Member m, std::vector<std::string>& list) = 0;
  // `keep_empty`: an encoder writes an empty JSON array rather than omitting the member.
  virtual void StringList(Member m, std::vector<std::string>& list, bool keep_empty) {
    (void)keep_empty;
    StringList(m, list);
  }
  virtual void StringMap(Member m, MapNames names, StringPairs& map) = 0;
  virtual void StructList(Member m, ListRef& list) = 0;
  // `keep_empty`: an encoder writes an empty JSON array rather than omitting the member.
  virtual void StructList(Member m, ListRef& list, bool keep_empty) {
    (void)keep_empty;
    StructList(m, list);
  }
  virtual void StructMap(Member m, MapNames names, MapRef& map) = 0;
  // A nested structure. Visitors of protocols that never carry one (SQS JSON input) ignore it.
  virtual void Struct(Member m, StructRef& s) {
    (void)m;
    (void)s;
  }
};

template <typename T>
class OptionalOf final : public StructRef {
 public:
  explicit OptionalOf(std::optional<T>& value) : value_(value) {}
  bool present() const override { return value_.has_value(); }
  void Describe(Visitor& v) override { value_->Describe(v); }
  void EmplaceAndDescribe(Visitor& v) override { value_.emplace().Describe(v); }

 private:
  std::optional<T>& value_;
};

// A nested structure member: absent when empty.
template <typename T>
void Object(Visitor& v, Member m, std::optional<T>& value) {
  OptionalOf<T> ref(value);
  v.Struct(m, ref);
}

template <typename T>
class ListOf final : public ListRef {
 public:
  explicit ListOf(std::vector<T>& list) : list_(list) {}
  size_t size() const override { return list_.size(); }
  void DescribeAt(size_t i, Visitor& v) override { list_[i].Describe(v); }
  void AppendAndDescribe(Visitor& v) override { list_.emplace_back().Describe(v); }

 private:
  std::vector<T>& list_;
};

template <typename T>
class MapOf final : public MapRef {
 public:
  explicit MapOf(std::vector<std::pair<std::string, T>>& map) : map_(map) {}
  size_t size() const override { return map_.size(); }
  const std::string& KeyAt(size_t i) const override { return map_[i].first; }
  void DescribeAt(size_t i, Visitor& v) override { map_[i].second.Describe(v); }
  void AppendAndDescribe(std::string key, Visitor& v) override {
    map_.emplace_back(std::move(key), T{}).second.Describe(v);
  }

 private:
  std::vector<std::pair<std::string, T>>& map_;
};

template <typename T>
void List(Visitor& v, Member m, std::vector<T>& list) {
  ListOf<T> ref(list);
  v.StructList(m, ref);
}

// A list written as [] when empty (KMS's Keys, Aliases, Tags), instead of being omitted.
template <typename T>
void ListKeepEmpty(Visitor& v, Member m, std::vector<T>& list) {
  ListOf<T> ref(list);
  v.StructList(m, ref, true);
}

template <typename T>
void Map(Visitor& v, Member m, MapNames names, std::vector<std::pair<std::string, T>>& map) {
  MapOf<T> ref(map);
  v.StructMap(m, names, ref);
}

}  // namespace wharf::api
