#pragma once

// What the generator needs from SQS answers, found with a forward scan instead of a parser:
// the error code of a failed request, receipt handles and bodies of received messages, the
// codes of failed batch entries, a new queue's URL. Works on AWS JSON 1.0 and AWS Query (XML)
// bodies alike. Nothing here allocates except UnescapeTo growing its output.

#include <string>
#include <string_view>

#include "bench/request_writer.h"

namespace wharf::bench {

// Walks the string values of one member in a response body, in order: JSON `"key":"value"`
// or XML `<key>value</key>`. Values are returned raw (still escaped).
class ValueScanner {
 public:
  ValueScanner(WireProtocol protocol, std::string_view body, std::string_view key)
      : protocol_(protocol), body_(body), key_(key) {}
  // The next value, or false at the end.
  bool Next(std::string_view& raw);

 private:
  WireProtocol protocol_;
  std::string_view body_;
  std::string_view key_;
  size_t pos_ = 0;
};

// Appends the unescaped form of a raw value (JSON string escapes or XML entities) to `out`.
void UnescapeTo(WireProtocol protocol, std::string_view raw, std::string& out);

// The AWS error code of a non-200 answer: for JSON the x-amzn-query-error code (before ';'),
// else the shape name of __type; for XML <Code>. Empty when none is found.
std::string_view ErrorCode(WireProtocol protocol, std::string_view query_error_header,
                           std::string_view body);

}  // namespace wharf::bench
