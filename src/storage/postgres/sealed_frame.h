#pragma once

// How the PostgreSQL backend stores an SSE-KMS message (schema migration 8). A sealed body is
// binary (the AES-GCM envelope of sqs/sse/body_envelope.h) and the `body` column is text, so a
// sealed message keeps `body` '' and puts everything in its `attrs` bytea as one frame:
//
//   0xFF ‖ data key id (8 bytes, big-endian two's complement) ‖ length of the caller's
//   attributes (4 bytes, big-endian) ‖ the caller's attributes ‖ the sealed body
//
// Every statement that moves a message (dead-letter redrive, move tasks) copies `attrs` as it
// is, so the sealed body and its key id travel unchanged, and the SQL function
// wharf_data_key_id(attrs) (schema.cc) reads the id back for the data-key sweep. The caller's
// attributes of a message in clear must therefore not start with 0xFF (the engine's start with
// its record version, 1 or 2); PgQueueOps refuses such a send with kBadResult.
//
// Thread-safety: free functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wharf::storage::pg {

inline constexpr unsigned char kSealedFrameTag = 0xFF;

// The `attrs` value of a sealed message.
std::string FrameSealed(int64_t data_key_id, std::string_view attrs, std::string_view sealed);

struct UnframedSealed {
  int64_t data_key_id = 0;
  std::string attrs;
  std::string sealed;
};
// A frame's parts; nullopt when `stored` is no frame (a message in clear) or a damaged one.
std::optional<UnframedSealed> UnframeSealed(std::string_view stored);

// True when `attrs` of a message in clear would read as a frame.
inline bool LooksFramed(std::string_view attrs) {
  return !attrs.empty() && static_cast<unsigned char>(attrs.front()) == kSealedFrameTag;
}

}  // namespace wharf::storage::pg
