#pragma once

// Standard base64 (RFC 4648 §4, with padding), as AWS uses for blobs on the wire.

#include <optional>
#include <string>
#include <string_view>

namespace wharf {

std::string Base64Encode(std::string_view bytes);
// Decodes padded or unpadded standard base64; whitespace is not allowed. nullopt if invalid.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace wharf
