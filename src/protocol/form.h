#pragma once

// application/x-www-form-urlencoded and URL query strings: percent-decoding with '+' as space.

#include <optional>
#include <string>
#include <string_view>

#include "protocol/protocol.h"

namespace wharf::protocol {

// Decodes %XX and '+'. nullopt for a malformed escape.
std::optional<std::string> PercentDecode(std::string_view text);

// Appends the parameters of `text` ("a=1&b=2") to `out`. Empty pieces are skipped; a name
// without '=' gets an empty value. Returns false on a malformed escape.
bool ParseForm(std::string_view text, FormParams& out);

}  // namespace wharf::protocol
