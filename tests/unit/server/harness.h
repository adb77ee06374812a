#pragma once

// An in-process harness for the HTTP front door: a ManualClock, a MemoryStore, an SqsService
// and a Dispatcher, driven with hand-built net::HttpRequests in either SQS protocol and
// answered through a capturing Responder. No sockets, no sleeps: long polls finish when the
// test advances the clock.
//
// Requests are described once (Params) and rendered either as an AWS Query form body or as an
// AWS JSON 1.0 object, so a test runs unchanged over both protocols.

#include <gtest/gtest.h>

#include <array>
#include <cctype>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/manual_clock.h"
#include "net/http.h"
#include "server/dispatcher.h"
#include "sqs/service.h"
#include "storage/store.h"

namespace wharf::server::testing {

enum class Wire { kQuery, kJson };

inline std::string WireName(Wire wire) { return wire == Wire::kQuery ? "Query" : "Json"; }

inline constexpr std::string_view kAuthorization =
    "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/sqs/aws4_request, SignedHeaders=host, "
    "Signature=abc";

inline std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

inline std::string JsonQuote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out.push_back(kHex[u >> 4]);
          out.push_back(kHex[u & 15]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

// The members of one request, in a protocol-neutral form.
class Params {
 public:
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  // {name, data type, string value}
  using Attributes = std::vector<std::array<std::string, 3>>;

  // A scalar with the same name on both wires.
  Params& Str(std::string name, std::string value) {
    items_.push_back({Kind::kString, name, name, {}, std::move(value)});
    return *this;
  }
  Params& Int(std::string name, int64_t value) {
    Item item{Kind::kInt, name, name, {}, std::to_string(value)};
    items_.push_back(std::move(item));
    return *this;
  }
  // JSON array `json`; Query `flat.N`.
  Params& List(std::string json, std::string flat, std::vector<std::string> values) {
    Item item{Kind::kList, std::move(json), std::move(flat)};
    item.list = std::move(values);
    items_.push_back(std::move(item));
    return *this;
  }
  // JSON object `json`; Query `flat.N.<key_label>` / `flat.N.Value`.
  Params& Map(std::string json, std::string flat, std::string key_label, Pairs pairs) {
    Item item{Kind::kMap, std::move(json), std::move(flat), std::move(key_label)};
    item.pairs = std::move(pairs);
    items_.push_back(std::move(item));
    return *this;
  }
  // Message attributes with string values: JSON {name: {DataType, StringValue}}; Query
  // `flat.N.Name`, `flat.N.Value.DataType`, `flat.N.Value.StringValue`.
  Params& MessageAttributes(std::string json, std::string flat, Attributes attributes) {
    Item item{Kind::kAttributes, std::move(json), std::move(flat)};
    item.attributes = std::move(attributes);
    items_.push_back(std::move(item));
    return *this;
  }
  // A list of flat structures of string members: JSON [{...}], Query `flat.N.<member>`.
  Params& Entries(std::string json, std::string flat, std::vector<Pairs> entries) {
    Item item{Kind::kEntries, std::move(json), std::move(flat)};
    item.entries = std::move(entries);
    items_.push_back(std::move(item));
    return *this;
  }

  std::string Form() const {
    std::string out;
    auto add = [&](const std::string& k, const std::string& v) {
      if (!out.empty()) out.push_back('&');
      out += PercentEncode(k) + "=" + PercentEncode(v);
    };
    for (const Item& item : items_) {
      switch (item.kind) {
        case Kind::kString:
        case Kind::kInt:
          add(item.flat, item.value);
          break;
        case Kind::kList:
          for (size_t i = 0; i < item.list.size(); ++i) {
            add(item.flat + "." + std::to_string(i + 1), item.list[i]);
          }
          break;
        case Kind::kMap:
          for (size_t i = 0; i < item.pairs.size(); ++i) {
            const std::string base = item.flat + "." + std::to_string(i + 1) + ".";
            add(base + item.key_label, item.pairs[i].first);
            add(base + "Value", item.pairs[i].second);
          }
          break;
        case Kind::kAttributes:
          for (size_t i = 0; i < item.attributes.size(); ++i) {
            const std::string base = item.flat + "." + std::to_string(i + 1) + ".";
            add(base + "Name", item.attributes[i][0]);
            add(base + "Value.DataType", item.attributes[i][1]);
            add(base + "Value.StringValue", item.attributes[i][2]);
          }
          break;
        case Kind::kEntries:
          for (size_t i = 0; i < item.entries.size(); ++i) {
            for (const auto& [k, v] : item.entries[i]) {
              add(item.flat + "." + std::to_string(i + 1) + "." + k, v);
            }
          }
          break;
      }
    }
    return out;
  }

  std::string Json() const {
    std::string out = "{";
    bool first = true;
    auto key = [&](const std::string& k) {
      if (!first) out.push_back(',');
      first = false;
      out += JsonQuote(k) + ":";
    };
    for (const Item& item : items_) {
      key(item.json);
      switch (item.kind) {
        case Kind::kString:
          out += JsonQuote(item.value);
          break;
        case Kind::kInt:
          out += item.value;
          break;
        case Kind::kList:
          out.push_back('[');
          for (size_t i = 0; i < item.list.size(); ++i) {
            out += (i ? "," : "") + JsonQuote(item.list[i]);
          }
          out.push_back(']');
          break;
        case Kind::kMap:
          out.push_back('{');
          for (size_t i = 0; i < item.pairs.size(); ++i) {
            out += (i ? "," : "") + JsonQuote(item.pairs[i].first) + ":" +
                   JsonQuote(item.pairs[i].second);
          }
          out.push_back('}');
          break;
        case Kind::kAttributes:
          out.push_back('{');
          for (size_t i = 0; i < item.attributes.size(); ++i) {
            out += (i ? "," : "") + JsonQuote(item.attributes[i][0]) +
                   ":{\"DataType\":" + JsonQuote(item.attributes[i][1]) +
                   ",\"StringValue\":" + JsonQuote(item.attributes[i][2]) + "}";
          }
          out.push_back('}');
          break;
        case Kind::kEntries:
          out.push_back('[');
          for (size_t i = 0; i < item.entries.size(); ++i) {
            out += i ? ",{" : "{";
            for (size_t j = 0; j < item.entries[i].size(); ++j) {
              out += (j ? "," : "") + JsonQuote(item.entries[i][j].first) + ":" +
                     JsonQuote(item.entries[i][j].second);
            }
            out.push_back('}');
          }
          out.push_back(']');
          break;
      }
    }
    out.push_back('}');
    return out;
  }

 private:
  enum class Kind { kString, kInt, kList, kMap, kAttributes, kEntries };
  struct Item {
    Kind kind;
    std::string json;
    std::string flat;
    std::string key_label;
    std::string value;
    std::vector<std::string> list;
    Pairs pairs;
    Attributes attributes;
    std::vector<Pairs> entries;
  };
  std::vector<Item> items_;
};

inline std::string_view HeaderOf(const net::HttpResponse& response, std::string_view name) {
  for (const auto& [k, v] : response.headers) {
    if (k.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < k.size(); ++i) {
      same = same && std::tolower(static_cast<unsigned char>(k[i])) ==
                         std::tolower(static_cast<unsigned char>(name[i]));
    }
    if (same) return v;
  }
  return {};
}

inline int HeaderCount(const net::HttpResponse& response, std::string_view name) {
  int n = 0;
  for (const auto& [k, v] : response.headers) {
    std::string a(k), b(name);
    for (char& c : a) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (char& c : b) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    n += a == b;
  }
  return n;
}

inline void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The JSON string starting at `pos` (just after its opening quote), unescaped.
inline std::optional<std::string> JsonStringAt(std::string_view body, size_t pos) {
  std::string out;
  while (pos < body.size()) {
    char c = body[pos++];
    if (c == '"') return out;
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (pos >= body.size()) return std::nullopt;
    char e = body[pos++];
    switch (e) {
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'u': {
        if (pos + 4 > body.size()) return std::nullopt;
        uint32_t cp =
            static_cast<uint32_t>(std::stoul(std::string(body.substr(pos, 4)), nullptr, 16));
        pos += 4;
        AppendUtf8(out, cp);
        break;
      }
      default:
        out.push_back(e);
    }
  }
  return std::nullopt;
}

inline std::string XmlUnescape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    if (text[i] != '&') {
      out.push_back(text[i++]);
      continue;
    }
    size_t semi = text.find(';', i);
    std::string_view entity = text.substr(i + 1, semi - i - 1);
    if (entity == "amp") {
      out.push_back('&');
    } else if (entity == "lt") {
      out.push_back('<');
    } else if (entity == "gt") {
      out.push_back('>');
    } else if (entity == "quot") {
      out.push_back('"');
    } else if (entity == "apos") {
      out.push_back('\'');
    } else if (entity.size() > 2 && entity[0] == '#' && (entity[1] == 'x' || entity[1] == 'X')) {
      AppendUtf8(out,
                 static_cast<uint32_t>(std::stoul(std::string(entity.substr(2)), nullptr, 16)));
    } else if (entity.size() > 1 && entity[0] == '#') {
      AppendUtf8(out, static_cast<uint32_t>(std::stoul(std::string(entity.substr(1)))));
    } else {
      out.append(text.substr(i, semi - i + 1));
    }
    i = semi + 1;
  }
  return out;
}

// The first value of member/element `name` (a string) in a response body of either protocol.
inline std::optional<std::string> Field(Wire wire, std::string_view body, std::string_view name) {
  if (wire == Wire::kJson) {
    std::string key = "\"" + std::string(name) + "\":\"";
    size_t at = body.find(key);
    if (at == std::string_view::npos) return std::nullopt;
    return JsonStringAt(body, at + key.size());
  }
  std::string open = "<" + std::string(name) + ">";
  std::string close = "</" + std::string(name) + ">";
  size_t at = body.find(open);
  if (at == std::string_view::npos) return std::nullopt;
  size_t end = body.find(close, at);
  if (end == std::string_view::npos) return std::nullopt;
  return XmlUnescape(body.substr(at + open.size(), end - at - open.size()));
}

// A value of a name/value attribute map entry (queue attributes, system attributes).
inline std::optional<std::string> AttributeOf(Wire wire, std::string_view body,
                                              std::string_view name) {
  if (wire == Wire::kJson) return Field(wire, body, name);
  std::string key = "<Attribute><Name>" + std::string(name) + "</Name><Value>";
  size_t at = body.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  size_t end = body.find("</Value>", at);
  return XmlUnescape(body.substr(at + key.size(), end - at - key.size()));
}

class Harness {
 public:
  Harness()
      : service_(clock_, clock_, store_, sqs::ServiceOptions{}),
        dispatcher_(service_, DispatcherOptions{}) {}

  struct Capture {
    int calls = 0;
    std::optional<net::HttpResponse> response;
  };

  static net::HttpRequest Request(Wire wire, std::string_view action, const Params& params,
                                  bool with_auth = true) {
    net::HttpRequest r;
    r.method = "POST";
    r.target = "/";
    r.headers.Add("Host", "localhost:9324");
    r.headers.Add("X-Amz-Date", "20250101T000000Z");
    if (with_auth) r.headers.Add("Authorization", std::string(kAuthorization));
    if (wire == Wire::kJson) {
      r.headers.Add("Content-Type", "application/x-amz-json-1.0");
      r.headers.Add("X-Amz-Target", "AmazonSQS." + std::string(action));
      r.headers.Add("x-amzn-query-mode", "true");
      r.body = params.Json();
    } else {
      r.headers.Add("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
      std::string form = params.Form();
      r.body = "Action=" + std::string(action) + "&Version=2012-11-05" +
               (form.empty() ? "" : "&" + form);
    }
    r.body.reserve(r.body.size() + net::kBodyPadding);
    return r;
  }

  // Hands the request to the dispatcher; the response may come now or after clock advances.
  std::shared_ptr<Capture> Dispatch(net::HttpRequest request) {
    auto capture = std::make_shared<Capture>();
    dispatcher_.Handle(std::move(request), [capture](net::HttpResponse response) {
      ++capture->calls;
      capture->response = std::move(response);
    });
    return capture;
  }

  // Dispatches a request that must be answered at once, exactly once.
  net::HttpResponse Call(net::HttpRequest request) {
    auto capture = Dispatch(std::move(request));
    EXPECT_EQ(capture->calls, 1) << "the request must be answered at once, exactly once";
    if (!capture->response) return net::HttpResponse{0, {}, "<no response>"};
    EXPECT_FALSE(HeaderOf(*capture->response, "x-amzn-RequestId").empty())
        << "every response carries x-amzn-RequestId";
    EXPECT_EQ(HeaderCount(*capture->response, "x-amzn-RequestId"), 1);
    return *capture->response;
  }

  net::HttpResponse Call(Wire wire, std::string_view action, const Params& params = {}) {
    return Call(Request(wire, action, params));
  }

  ManualClock clock_;
  storage::MemoryStore store_;
  sqs::SqsService service_;
  Dispatcher dispatcher_;
};

}  // namespace wharf::server::testing
