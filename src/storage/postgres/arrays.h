#pragma once

// Array parameters for the multi-row statements (batch send, batch delete): one parameter
// carries every entry's value of one column, and the statement unnests them, so a batch of up to
// 10 entries is one statement with a fixed parameter count. The values still travel as
// parameters (PostgreSQL's array text form, quoted element by element), never as SQL text.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "storage/postgres/connection.h"

namespace wharf::storage::pg {

// `{"a","b",NULL}`: every element double-quoted with `\` and `"` escaped, which is the whole of
// the array input syntax's quoting rule (no other character is special inside quotes).
Param TextArray(std::span<const std::optional<std::string>> values);
Param TextArray(std::span<const std::string> values);
Param IntArray(std::span<const int64_t> values);
Param IntOrNullArray(std::span<const std::optional<int64_t>> values);
// bytea elements in their hex text form ("\x6162"), quoted like text.
Param BytesArray(std::span<const std::string> values);

}  // namespace wharf::storage::pg
