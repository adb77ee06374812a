// Fuzzes the response encoders (src/protocol: writers.cc, escape.cc, responses.cc): a typed output
// whose every member is fuzzed — message bodies, attribute names and values, ids, error
// messages echoing client input — is encoded as AWS Query XML and as AWS JSON 1.0, and the
// result must parse and give the strings back.
//
// The input drives FuzzedDataProvider: which output (every SQS output, several IAM and STS
// outputs with nested structures and wrapped lists, or an error), then every member's value.
// Checked besides "no crash, no hang, no UB, no leak":
//   * XML: the body is well-formed XML 1.0 (one root, balanced tags, only the five predefined
//     entities and character references, only characters XML allows, valid UTF-8), and its
//     leaf elements, in document order, are the members the output describes, with their names,
//     each text unescaping to the member's valid-UTF-8 form: every byte that does not start a
//     well-formed UTF-8 sequence (Unicode Table 3-7) and every character XML 1.0 cannot carry
//     replaced by U+FFFD, CR kept (as &#xD;);
//   * JSON (SQS outputs and errors): the body decodes, with the JSON decoder, to the output
//     with every string in its valid-UTF-8 form;
//   * an error's message comes back the same way in both formats.
// The valid-UTF-8 form is computed here from the Unicode tables, independently of
// common/text.cc, so a bug shared by the escaper and its helper is still caught.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/iam/actions.h"
#include "api/sqs/actions.h"
#include "api/sts/actions.h"
#include "common/base64.h"
#include "protocol/json_reader.h"
#include "protocol/protocol.h"

namespace wharf::protocol {
namespace {

using api::Action;

[[noreturn]] void Fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "encoder_roundtrip_fuzz: %s\n%.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

// --- the valid-UTF-8 form, from Unicode 15 Table 3-7 ----------------------------------------

// Length of the well-formed sequence at `pos`, or 0.
size_t WellFormedLength(std::string_view s, size_t pos) {
  auto at = [&](size_t k) -> int {
    return pos + k < s.size() ? static_cast<unsigned char>(s[pos + k]) : -1;
  };
  auto in = [](int b, int lo, int hi) { return b >= lo && b <= hi; };
  const int b0 = at(0);
  if (in(b0, 0x00, 0x7F)) return 1;
  if (in(b0, 0xC2, 0xDF)) return in(at(1), 0x80, 0xBF) ? 2 : 0;
  int lo = 0x80, hi = 0xBF;
  if (b0 == 0xE0) lo = 0xA0;
  if (b0 == 0xED) hi = 0x9F;
  if (in(b0, 0xE0, 0xEF)) return in(at(1), lo, hi) && in(at(2), 0x80, 0xBF) ? 3 : 0;
  lo = 0x80, hi = 0xBF;
  if (b0 == 0xF0) lo = 0x90;
  if (b0 == 0xF4) hi = 0x8F;
  if (in(b0, 0xF0, 0xF4)) {
    return in(at(1), lo, hi) && in(at(2), 0x80, 0xBF) && in(at(3), 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

uint32_t CodePoint(std::string_view seq) {
  auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(seq[k])); };
  switch (seq.size()) {
    case 1:
      return b(0);
    case 2:
      return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3:
      return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    default:
      return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
}

bool XmlChar(uint32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Each byte that does not start a well-formed sequence becomes U+FFFD; for XML, so does each
// character XML 1.0 cannot carry.
std::string ValidForm(std::string_view s, bool xml) {
  std::string out;
  for (size_t pos = 0; pos < s.size();) {
    const size_t n = WellFormedLength(s, pos);
    if (n == 0) {
      out.append(kReplacement);
      ++pos;
      continue;
    }
    const std::string_view seq = s.substr(pos, n);
    out.append(xml && !XmlChar(CodePoint(seq)) ? kReplacement : seq);
    pos += n;
  }
  return out;
}

// --- filling any described struct from the input ---------------------------------------------

class Filler final : public api::Visitor {
 public:
  explicit Filler(FuzzedDataProvider& in, int depth = 0) : in_(in), depth_(depth) {}

  void String(api::Member, std::optional<std::string>& value) override {
    if (in_.ConsumeBool()) value = Text();
  }
  void String(api::Member, std::string& value) override { value = Text(); }
  void Int(api::Member, std::optional<int64_t>& value) override {
    if (in_.ConsumeBool()) value = in_.ConsumeIntegral<int64_t>();
  }
  void Int(api::Member, int64_t& value) override { value = in_.ConsumeIntegral<int64_t>(); }
  void Bool(api::Member, bool& value) override { value = in_.ConsumeBool(); }
  void Blob(api::Member, std::optional<std::string>& bytes) override {
    if (in_.ConsumeBool()) bytes = Text();
  }
  void StringList(api::Member, std::vector<std::string>& list) override {
    for (size_t n = Count(); n > 0; --n) list.push_back(Text());
  }
  void StringMap(api::Member, api::MapNames, api::StringPairs& map) override {
    for (size_t n = Count(); n > 0; --n) {
      std::string key = Text();
      map.emplace_back(std::move(key), Text());
    }
  }
  void StructList(api::Member, api::ListRef& list) override {
    for (size_t n = Count(); n > 0; --n) {
      Filler nested(in_, depth_ + 1);
      list.AppendAndDescribe(nested);
    }
  }
  void StructMap(api::Member, api::MapNames, api::MapRef& map) override {
    for (size_t n = Count(); n > 0; --n) {
      Filler nested(in_, depth_ + 1);
      map.AppendAndDescribe(Text(), nested);
    }
  }
  void Struct(api::Member, api::StructRef& s) override {
    if (!in_.ConsumeBool()) return;
    Filler nested(in_, depth_ + 1);
    s.EmplaceAndDescribe(nested);
  }

 private:
  std::string Text() { return in_.ConsumeRandomLengthString(48); }
  size_t Count() { return depth_ > 3 ? 0 : in_.ConsumeIntegralInRange<size_t>(0, 3); }

  FuzzedDataProvider& in_;
  int depth_;
};

// --- what the XML must contain ----------------------------------------------------------------

using Leaves = std::vector<std::pair<std::string, std::string>>;  // (element name, text)

// The leaf elements XmlWriter writes for a described struct, in order, with their texts in
// valid-UTF-8 form. An element with no child element is a leaf (also an empty wrapper).
class ExpectedLeaves final : public api::Visitor {
 public:
  explicit ExpectedLeaves(Leaves& out) : out_(out) {}

  void String(api::Member m, std::optional<std::string>& value) override {
    if (value) Leaf(m.flat, *value);
  }
  void String(api::Member m, std::string& value) override { Leaf(m.flat, value); }
  void Int(api::Member m, std::optional<int64_t>& value) override {
    if (value) Leaf(m.flat, std::to_string(*value));
  }
  void Int(api::Member m, int64_t& value) override { Leaf(m.flat, std::to_string(value)); }
  void Bool(api::Member m, bool& value) override { Leaf(m.flat, value ? "true" : "false"); }
  void Blob(api::Member m, std::optional<std::string>& bytes) override {
    if (bytes) Leaf(m.flat, Base64Encode(*bytes));
  }
  void StringList(api::Member m, std::vector<std::string>& list) override {
    const auto [wrapper, item] = Split(m.flat);
    if (!wrapper.empty() && list.empty()) Leaf(wrapper, "");
    for (const std::string& value : list) Leaf(item, value);
  }
  void StringMap(api::Member, api::MapNames names, api::StringPairs& map) override {
    for (const auto& [key, value] : map) {
      Leaf(names.key, key);
      Leaf(names.value, value);
    }
  }
  void StructList(api::Member m, api::ListRef& list) override {
    const auto [wrapper, item] = Split(m.flat);
    if (!wrapper.empty() && list.size() == 0) Leaf(wrapper, "");
    for (size_t i = 0; i < list.size(); ++i) {
      const size_t before = out_.size();
      list.DescribeAt(i, *this);
      if (out_.size() == before) Leaf(item, "");
    }
  }
  void StructMap(api::Member m, api::MapNames names, api::MapRef& map) override {
    for (size_t i = 0; i < map.size(); ++i) {
      Leaf(names.key, map.KeyAt(i));
      const size_t before = out_.size();
      map.DescribeAt(i, *this);
      if (out_.size() == before) Leaf(names.value, "");
    }
    (void)m;
  }
  void Struct(api::Member m, api::StructRef& s) override {
    if (!s.present()) return;
    const size_t before = out_.size();
    s.Describe(*this);
    if (out_.size() == before) Leaf(m.flat, "");
  }

 private:
  static std::pair<std::string_view, std::string_view> Split(std::string_view flat) {
    const size_t dot = flat.find('.');
    if (dot == std::string_view::npos) return {{}, flat};
    return {flat.substr(0, dot), flat.substr(dot + 1)};
  }
  void Leaf(std::string_view name, std::string_view text) {
    out_.emplace_back(std::string(name), ValidForm(text, /*xml=*/true));
  }

  Leaves& out_;
};

// --- a strict little XML reader -----------------------------------------------------------

// Parses `xml` (an optional <?xml ...?> prolog, then one element; attributes allowed; no
// comments, CDATA, DTDs or processing instructions, which the encoders never write) and
// collects its leaf elements. Fails the run on anything that is not well-formed.
class XmlReader {
 public:
  explicit XmlReader(std::string_view xml) : s_(xml) {}

  Leaves Read() {
    if (s_.substr(0, 5) == "<?xml") {
      const size_t end = s_.find("?>");
      if (end == std::string_view::npos) Bad("unterminated prolog");
      pos_ = end + 2;
    }
    Element();
    if (pos_ != s_.size()) Bad("content after the root element");
    return std::move(leaves_);
  }

 private:
  [[noreturn]] void Bad(const char* what) { Fail(what, s_); }

  static bool NameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == ':';
  }

  std::string_view Name() {
    const size_t start = pos_;
    while (pos_ < s_.size() && NameChar(s_[pos_])) ++pos_;
    if (pos_ == start) Bad("an element without a name");
    return s_.substr(start, pos_ - start);
  }

  void Expect(char c) {
    if (pos_ >= s_.size() || s_[pos_] != c) Bad("unexpected character");
    ++pos_;
  }

  // Character data up to the next '<' (or `stop`), unescaped.
  std::string Text(char stop) {
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != '<' && s_[pos_] != stop) {
      if (s_[pos_] == '>' && stop == '"') Bad("'>' in an attribute");
      if (s_[pos_] != '&') {
        const size_t n = WellFormedLength(s_, pos_);
        if (n == 0) Bad("invalid UTF-8 in the document");
        const std::string_view seq = s_.substr(pos_, n);
        if (!XmlChar(CodePoint(seq))) Bad("a character XML 1.0 does not allow");
        if (seq == "\r") Bad("a literal CR (parsers turn it into LF)");
        out.append(seq);
        pos_ += n;
        continue;
      }
      const size_t end = s_.find(';', pos_);
      if (end == std::string_view::npos) Bad("unterminated reference");
      const std::string_view ref = s_.substr(pos_ + 1, end - pos_ - 1);
      pos_ = end + 1;
      if (ref == "amp") {
        out.push_back('&');
      } else if (ref == "lt") {
        out.push_back('<');
      } else if (ref == "gt") {
        out.push_back('>');
      } else if (ref == "quot") {
        out.push_back('"');
      } else if (ref == "apos") {
        out.push_back('\'');
      } else if (ref == "#xD") {
        out.push_back('\r');
      } else {
        Bad("an unknown reference");
      }
    }
    return out;
  }

  // Returns whether the element had child elements.
  void Element() {
    Expect('<');
    const std::string_view name = Name();
    while (pos_ < s_.size() && s_[pos_] == ' ') {
      ++pos_;
      Name();
      Expect('=');
      Expect('"');
      Text('"');
      Expect('"');
    }
    if (s_.substr(pos_, 2) == "/>") {
      pos_ += 2;
      leaves_.emplace_back(std::string(name), "");
      return;
    }
    Expect('>');
    bool children = false;
    std::string text;
    for (;;) {
      text += Text('<');
      if (pos_ >= s_.size()) Bad("unterminated element");
      if (s_.substr(pos_, 2) == "</") break;
      if (!text.empty()) Bad("mixed content");
      children = true;
      Element();
    }
    pos_ += 2;
    if (Name() != name) Bad("mismatched end tag");
    Expect('>');
    if (children && !text.empty()) Bad("mixed content");
    if (!children) leaves_.emplace_back(std::string(name), std::move(text));
  }

  std::string_view s_;
  size_t pos_ = 0;
  Leaves leaves_;
};

// --- JSON: the values, as the decoder reads them back --------------------------------------

using Values = std::vector<std::string>;

// Every value of a described struct, in order, with strings in valid-UTF-8 form.
class ValuesOf final : public api::Visitor {
 public:
  explicit ValuesOf(Values& out, bool sanitize) : out_(out), sanitize_(sanitize) {}

  void String(api::Member m, std::optional<std::string>& value) override {
    Put(m.json, value ? "s" + Clean(*value) : "-");
  }
  void String(api::Member m, std::string& value) override { Put(m.json, "s" + Clean(value)); }
  void Int(api::Member m, std::optional<int64_t>& value) override {
    Put(m.json, value ? "i" + std::to_string(*value) : "-");
  }
  void Int(api::Member m, int64_t& value) override { Put(m.json, "i" + std::to_string(value)); }
  void Bool(api::Member m, bool& value) override { Put(m.json, value ? "true" : "false"); }
  void Blob(api::Member m, std::optional<std::string>& bytes) override {
    Put(m.json, bytes ? "b" + *bytes : "-");
  }
  void StringList(api::Member m, std::vector<std::string>& list) override {
    Put(m.json, "list " + std::to_string(list.size()));
    for (const std::string& v : list) out_.push_back(Clean(v));
  }
  void StringMap(api::Member m, api::MapNames, api::StringPairs& map) override {
    Put(m.json, "map " + std::to_string(map.size()));
    for (const auto& [k, v] : map) {
      out_.push_back(Clean(k));
      out_.push_back(Clean(v));
    }
  }
  void StructList(api::Member m, api::ListRef& list) override {
    Put(m.json, "structs " + std::to_string(list.size()));
    for (size_t i = 0; i < list.size(); ++i) list.DescribeAt(i, *this);
  }
  void StructMap(api::Member m, api::MapNames, api::MapRef& map) override {
    Put(m.json, "struct map " + std::to_string(map.size()));
    for (size_t i = 0; i < map.size(); ++i) {
      out_.push_back(Clean(map.KeyAt(i)));
      map.DescribeAt(i, *this);
    }
  }

 private:
  std::string Clean(std::string_view s) const {
    return sanitize_ ? ValidForm(s, /*xml=*/false) : std::string(s);
  }
  void Put(std::string_view name, std::string value) {
    out_.push_back(std::string(name) + "=" + std::move(value));
  }

  Values& out_;
  bool sanitize_;
};

template <typename T>
Values Collect(T& value, bool sanitize) {
  Values out;
  ValuesOf visitor(out, sanitize);
  value.Describe(visitor);
  return out;
}

std::string Joined(const Values& values) {
  std::string out;
  for (const std::string& v : values) out += v + "\n";
  return out;
}

std::string Joined(const Leaves& leaves) {
  std::string out;
  for (const auto& [name, text] : leaves) out += name + "=" + text + "\n";
  return out;
}

// --- the checks ---------------------------------------------------------------------------

void CheckXmlLeaves(std::string_view xml, const Leaves& inner, std::string_view request_id) {
  Leaves got = XmlReader(xml).Read();
  Leaves want = inner;
  want.emplace_back("RequestId", ValidForm(request_id, /*xml=*/true));
  if (got != want)
    Fail("the XML does not give the members back", Joined(want) + "---\n" + Joined(got));
}

template <typename Out>
void CheckOutput(Action action, FuzzedDataProvider& in, bool json) {
  Out output{};
  Filler filler(in);
  output.Describe(filler);
  const std::string request_id = in.ConsumeRandomLengthString(40);

  // XML: well-formed, with every member back in its valid-UTF-8 form.
  {
    Out copy = output;
    EncodedResponse xml = EncodeSuccess(Protocol::kQuery, action, request_id, api::Shape::Of(copy));
    const api::ActionInfo& info = api::InfoOf(action);
    Leaves inner;
    ExpectedLeaves expected(inner);
    if (info.has_output) {
      copy.Describe(expected);
      if (inner.empty()) inner.emplace_back(std::string(info.name) + "Result", "");
    }
    CheckXmlLeaves(xml.body, inner, request_id);
  }
  if (!json) return;
  // JSON: the decoder reads back every value, strings in their valid-UTF-8 form.
  Out copy = output;
  EncodedResponse encoded =
      EncodeSuccess(Protocol::kJson10, action, request_id, api::Shape::Of(copy));
  std::string body = std::move(encoded.body);
  body.reserve(body.size() + 64);
  Out back{};
  api::ApiStatus status = DecodeJson(body, api::Shape::Of(back));
  if (!status.ok()) Fail("the JSON does not decode", body + "\n" + status.error().message);
  const Values want = Collect(output, /*sanitize=*/true);
  const Values got = Collect(back, /*sanitize=*/false);
  if (want != got)
    Fail("the JSON does not give the values back", Joined(want) + "---\n" + Joined(got));
}

// The error body of both protocols: {"__type", "message"} / <Error><Message>.
struct JsonError {
  std::string type;
  std::string message;
  void Describe(api::Visitor& v) {
    v.String({"__type", "__type"}, type);
    v.String({"message", "message"}, message);
  }
};

void CheckError(FuzzedDataProvider& in) {
  const auto code = static_cast<api::ErrorCode>(
      in.ConsumeIntegralInRange<int>(0, static_cast<int>(api::kErrorCodeCount) - 1));
  const auto service = static_cast<api::Service>(in.ConsumeIntegralInRange<int>(0, 2));
  std::string message = in.ConsumeRandomLengthString(200);
  if (message.empty()) message = "x";  // an empty message means the catalog's default
  const std::string request_id = in.ConsumeRandomLengthString(40);
  const api::ApiError error = api::Error(code, message);

  EncodedResponse xml = EncodeError(Protocol::kQuery, request_id, error, service);
  Leaves got = XmlReader(xml.body).Read();
  bool found = false;
  for (const auto& [name, text] : got) {
    if (name == "Message") found = text == ValidForm(message, /*xml=*/true);
  }
  if (!found) Fail("the XML error does not give the message back", xml.body);
  if (got.empty() || got.back() != Leaves::value_type("RequestId", ValidForm(request_id, true))) {
    Fail("the XML error does not give the request id back", xml.body);
  }

  EncodedResponse json = EncodeError(Protocol::kJson10, request_id, error, service);
  json.body.reserve(json.body.size() + 64);
  JsonError back;
  if (!DecodeJson(json.body, api::Shape::Of(back)).ok())
    Fail("the JSON error does not decode", json.body);
  if (back.message != ValidForm(message, /*xml=*/false)) {
    Fail("the JSON error does not give the message back", json.body);
  }
}

void Run(FuzzedDataProvider& in) {
  namespace sqs = api::sqs;
  namespace iam = api::iam;
  namespace sts = api::sts;
  switch (in.ConsumeIntegralInRange<int>(0, 21)) {
    case 0:
      return CheckError(in);
    case 1:
      return CheckOutput<sqs::QueueUrlOutput>(Action::kCreateQueue, in, true);
    case 2:
      return CheckOutput<sqs::ListQueuesOutput>(Action::kListQueues, in, true);
    case 3:
      return CheckOutput<sqs::GetQueueAttributesOutput>(Action::kGetQueueAttributes, in, true);
    case 4:
      return CheckOutput<sqs::ListQueueTagsOutput>(Action::kListQueueTags, in, true);
    case 5:
      return CheckOutput<sqs::ListDeadLetterSourceQueuesOutput>(Action::kListDeadLetterSourceQueues,
                                                                in, true);
    case 6:
      return CheckOutput<sqs::SendMessageOutput>(Action::kSendMessage, in, true);
    case 7:
      return CheckOutput<sqs::SendMessageBatchOutput>(Action::kSendMessageBatch, in, true);
    case 8:
      return CheckOutput<sqs::ReceiveMessageOutput>(Action::kReceiveMessage, in, true);
    case 9:
      return CheckOutput<sqs::DeleteMessageBatchOutput>(Action::kDeleteMessageBatch, in, true);
    case 10:
      return CheckOutput<sqs::ChangeMessageVisibilityBatchOutput>(
          Action::kChangeMessageVisibilityBatch, in, true);
    case 11:
      return CheckOutput<sqs::StartMessageMoveTaskOutput>(Action::kStartMessageMoveTask, in, true);
    case 12:
      return CheckOutput<sqs::CancelMessageMoveTaskOutput>(Action::kCancelMessageMoveTask, in,
                                                           true);
    case 13:
      return CheckOutput<sqs::ListMessageMoveTasksOutput>(Action::kListMessageMoveTasks, in, true);
    case 14:
      return CheckOutput<sqs::Empty>(Action::kDeleteMessage, in, true);
    case 15:
      return CheckOutput<iam::UserOutput>(Action::kGetUser, in, false);
    case 16:
      return CheckOutput<iam::ListUsersOutput>(Action::kListUsers, in, false);
    case 17:
      return CheckOutput<iam::ListPoliciesOutput>(Action::kListPolicies, in, false);
    case 18:
      return CheckOutput<iam::RoleOutput>(Action::kGetRole, in, false);
    case 19:
      return CheckOutput<iam::ListAccessKeysOutput>(Action::kListAccessKeys, in, false);
    case 20:
      return CheckOutput<sts::AssumeRoleOutput>(Action::kAssumeRole, in, false);
    default:
      return CheckOutput<sts::GetCallerIdentityOutput>(Action::kGetCallerIdentity, in, false);
  }
}

}  // namespace
}  // namespace wharf::protocol

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  wharf::protocol::Run(in);
  return 0;
}
