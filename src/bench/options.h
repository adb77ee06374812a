#pragma once

// Parsing of the `wharf bench` command line beyond what CLI11 does by itself.

#include <chrono>
#include <optional>
#include <string_view>

namespace wharf::bench {

// "10s", "1.5s", "500ms", "2m", or a bare number of seconds ("10").
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

}  // namespace wharf::bench
