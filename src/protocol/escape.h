#pragma once

// Text escaping for the two response formats. Both keep valid UTF-8 as it is and turn invalid
// UTF-8 (which only error messages echoing client input can contain) into U+FFFD, so a
// response is always well-formed.

#include <string>
#include <string_view>

namespace wharf::protocol {

// XML text/attribute content: & < > " escaped, CR as &#xD; (a literal CR would be normalised to
// LF by XML parsers and break the client's body MD5 check, sqs-api.md §1.3.2), and characters
// XML 1.0 cannot carry replaced by U+FFFD.
void AppendXmlEscaped(std::string& out, std::string_view text);

// JSON string content (without the quotes).
void AppendJsonEscaped(std::string& out, std::string_view text);

}  // namespace wharf::protocol
