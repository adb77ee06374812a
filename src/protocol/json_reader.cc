#include "protocol/json_reader.h"

#include <simdjson.h>

#include <cmath>

#include "api/handler_table.h"
#include "common/base64.h"
#include "common/text.h"

namespace wharf::protocol {
namespace {

using api::ErrorCode;
using simdjson::dom::element;
using simdjson::dom::element_type;

api::ApiError SerializationError(std::string_view member) {
  return api::Error(ErrorCode::kSerializationException,
                    "Unexpected value type for member " + std::string(member) + ".");
}

class JsonReader final : public api::Visitor {
 public:
  JsonReader(simdjson::dom::object object, api::ApiStatus* status)
      : object_(object), status_(status) {}

  void String(api::Member m, std::optional<std::string>& value) override {
    element e;
    if (!Get(m, e)) return;
    std::string out;
    if (ScalarAsString(e, out)) {
      value = std::move(out);
    } else {
      Fail(SerializationError(m.json));
    }
  }
  void String(api::Member m, std::string& value) override {
    std::optional<std::string> v;
    String(m, v);
    if (v) value = std::move(*v);
  }
  void Int(api::Member m, std::optional<int64_t>& value) override {
    element e;
    if (!Get(m, e)) return;
    switch (e.type()) {
      case element_type::INT64:
        value = int64_t(e);
        return;
      case element_type::UINT64:
        break;  // beyond int64: not a valid value for any member
      case element_type::DOUBLE: {
        double d = double(e);
        if (std::trunc(d) == d && std::fabs(d) < 9.0e18) {
          value = static_cast<int64_t>(d);
          return;
        }
        break;
      }
      case element_type::STRING: {
        if (auto n = ParseInt64(std::string_view(e))) {
          value = *n;
          return;
        }
        break;
      }
      default:
        break;
    }
    Fail(SerializationError(m.json));
  }
  void Int(api::Member m, int64_t& value) override {
    std::optional<int64_t> v;
    Int(m, v);
    if (v) value = *v;
  }
  void Bool(api::Member m, bool& value) override {
    element e;
    if (!Get(m, e)) return;
    if (e.type() == element_type::BOOL) {
      value = bool(e);
    } else {
      Fail(SerializationError(m.json));
    }
  }
  void Blob(api::Member m, std::optional<std::string>& bytes) override {
    element e;
    if (!Get(m, e)) return;
    if (e.type() != element_type::STRING) {
      Fail(SerializationError(m.json));
      return;
    }
    auto decoded = Base64Decode(std::string_view(e));
    if (!decoded) {
      Fail(api::Error(ErrorCode::kSerializationException,
                      "Base64 encoded value for member " + std::string(m.json) + " is invalid."));
      return;
    }
    bytes = std::move(*decoded);
  }
  void StringList(api::Member m, std::vector<std::string>& list) override {
    element e;
    if (!Get(m, e)) return;
    if (e.type() != element_type::ARRAY) return Fail(SerializationError(m.json));
    for (element item : simdjson::dom::array(e)) {
      std::string out;
      if (!ScalarAsString(item, out)) return Fail(SerializationError(m.json));
      list.push_back(std::move(out));
    }
  }
  void StringMap(api::Member m, api::MapNames, api::StringPairs& map) override {
    element e;
    if (!Get(m, e)) return;
    if (e.type() != element_type::OBJECT) return Fail(SerializationError(m.json));
    for (auto field : simdjson::dom::object(e)) {
      std::string out;
      if (!ScalarAsString(field.value, out)) return Fail(SerializationError(m.json));
      map.emplace_back(std::string(field.key), std::move(out));
    }
  }
  void StructList(api::Member m, api::ListRef& list) override {
    element e;
    if (!Get(m, e)) return;
    if (e.type() != element_type::ARRAY) return Fail(SerializationError(m.json));
    for (element item : simdjson::dom::array(e)) {
      if (item.type() != element_type::OBJECT) return Fail(SerializationError(m.json));
      JsonReader nested(simdjson::dom::object(item), status_);
      list.AppendAndDescribe(nested);
    }
  }
  void StructMap(api::Member m, api::MapNames, api::MapRef& map) override {
    element e;
    if (!Get(m, e)) return;
    if (e.type() != element_type::OBJECT) return Fail(SerializationError(m.json));
    for (auto field : simdjson::dom::object(e)) {
      if (field.value.type() != element_type::OBJECT) return Fail(SerializationError(m.json));
      JsonReader nested(simdjson::dom::object(field.value), status_);
      map.AppendAndDescribe(std::string(field.key), nested);
    }
  }

 private:
  // False when the member is absent or null.
  bool Get(api::Member m, element& out) {
    if (object_.at_key(m.json).get(out) != simdjson::SUCCESS) return false;
    return out.type() != element_type::NULL_VALUE;
  }
  // Strings as they are; numbers and booleans in their JSON spelling (attribute maps are
  // string→string, but being liberal costs nothing).
  static bool ScalarAsString(element e, std::string& out) {
    switch (e.type()) {
      case element_type::STRING:
        out = std::string(std::string_view(e));
        return true;
      case element_type::INT64:
        out = std::to_string(int64_t(e));
        return true;
      case element_type::UINT64:
        out = std::to_string(uint64_t(e));
        return true;
      case element_type::BOOL:
        out = bool(e) ? "true" : "false";
        return true;
      default:
        return false;
    }
  }
  void Fail(api::ApiError error) {
    if (status_->ok()) *status_ = std::move(error);
  }

  simdjson::dom::object object_;
  api::ApiStatus* status_;
};

}  // namespace

api::ApiStatus DecodeJson(const std::string& body, api::Shape input) {
  // A DOM parse with a per-thread parser: simdjson validates the whole document (malformed
  // JSON must be rejected, which a lazy on-demand parse would not guarantee) and reuses the
  // parser's buffers, so a request costs no allocation beyond the decoded strings.
  thread_local simdjson::dom::parser parser;
  static const std::string kEmptyObject = "{}";
  const std::string& text = body.empty() ? kEmptyObject : body;
  element root;
  if (parser.parse(text).get(root) != simdjson::SUCCESS) {
    return api::Error(ErrorCode::kSerializationException, "The request body is not valid JSON.");
  }
  if (root.type() != element_type::OBJECT) {
    return api::Error(ErrorCode::kSerializationException,
                      "The request body must be a JSON object.");
  }
  api::ApiStatus status;
  JsonReader reader{simdjson::dom::object(root), &status};
  input.Describe(reader);
  return status;
}

}  // namespace wharf::protocol
