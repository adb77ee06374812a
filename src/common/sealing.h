#pragma once

// Sealing secrets at rest (security.md §4.6). IAM secret access keys, and later KMS key material,
// never reach the disk in clear: their owner seals them with a Sealer before putting them in the
// store, and opens them again when it loads them.
//
// A sealed value is AES-256-GCM with a random 96-bit nonce per seal and a 128-bit tag:
//
//   offset  size  field
//   0       1     format version (0x01)
//   1       4     key id: the first 4 bytes of SHA-256(key), so a wrong key is told apart from
//                 tampering before any decryption
//   5       12    nonce
//   17      n     ciphertext (as long as the plaintext)
//   17+n    16    tag
//   AAD = bytes[0..5) ‖ associated_data
//
// The associated data binds a sealed value to where it belongs (say the access key id and the
// user's ARN), so it cannot be moved to another record; Open needs the same bytes. Random nonces
// are safe for up to 2^32 seals under one key (NIST SP 800-38D); the secrets sealed here are far
// fewer.
//
// The root key comes from a key file, an environment variable or a passphrase (LoadRootKey);
// Derive() gives each purpose its own sub-key (security.md §4.6 key hierarchy: "iam-secrets v1",
// "kms-wrap v1", ...), so one purpose's sealed values never open under another's.
//
// Thread-safety: a Sealer is immutable once built; Seal, Open and Derive may be called from any
// number of threads at once. Copies hold their own copy of the key; every copy wipes it when
// destroyed. Each thread keeps one AES-256-GCM context per direction with the last key it used
// (wiped when the thread ends), so sealing many values under one key neither allocates nor
// expands the key again per value.
//
// OpenSSL stays inside sealing.cc.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "common/result.h"

namespace wharf {

enum class SealError : uint8_t {
  kTruncated,             // shorter than the smallest sealed value (33 bytes)
  kUnknownVersion,        // a format version this build does not read
  kWrongKey,              // sealed under another key (the key ids differ)
  kAuthenticationFailed,  // tampered, or other associated data; nothing is returned
};

// For logs: "truncated", "unknown version", "wrong key", "authentication failed".
std::string_view SealErrorName(SealError error);

class Sealer {
 public:
  static constexpr size_t kKeySize = 32;
  static constexpr uint8_t kVersion = 1;
  static constexpr size_t kKeyIdSize = 4;
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kTagSize = 16;
  // What a sealed value adds to its plaintext: version, key id, nonce, tag.
  static constexpr size_t kOverhead = 1 + kKeyIdSize + kNonceSize + kTagSize;

  // A sealer over `key` (exactly kKeySize bytes; anything else is an error naming the size).
  static Result<Sealer, std::string> FromKey(std::string_view key);

  Sealer(const Sealer&) = default;
  Sealer& operator=(const Sealer&) = default;
  ~Sealer();

  using Nonce = std::array<uint8_t, kNonceSize>;

  // Seals `plaintext`: kOverhead + plaintext.size() bytes. Aborts the process only if OpenSSL
  // cannot encrypt or produce a nonce at all (out of memory, no entropy): sealing with a
  // repeated or predictable nonce would be worse than stopping.
  std::string Seal(std::string_view plaintext, std::string_view associated_data) const;
  // As Seal, into `out` (its contents replaced, its capacity reused: no allocation once it is
  // large enough).
  void SealTo(std::string_view plaintext, std::string_view associated_data, std::string& out) const;
  // As SealTo with a nonce chosen by the caller instead of a random one, for a key that seals so
  // many values that drawing 12 random bytes per value (about 1 µs with OpenSSL 3.0's RAND_bytes,
  // twice the encryption of a 300-byte value) matters: a fresh key per writer whose nonces count
  // up (the store's data keys). The caller must never give the same nonce twice under the same
  // key: under GCM a repeated nonce reveals the XOR of the two plaintexts and lets anyone forge
  // tags. The output opens with Open like any other sealed value.
  void SealTo(std::string_view plaintext, std::string_view associated_data, const Nonce& nonce,
              std::string& out) const;
  // The plaintext of a value sealed by Seal with this key and the same associated data, or why
  // not. Never returns partial or unauthenticated bytes.
  Result<std::string, SealError> Open(std::string_view sealed,
                                      std::string_view associated_data) const;
  // As Open, into `out` (contents replaced, capacity reused). On an error `out` is wiped and
  // left empty.
  Status<SealError> OpenTo(std::string_view sealed, std::string_view associated_data,
                           std::string& out) const;

  // HMAC-SHA256 of `data` under this key: equal inputs give equal digests, and without the key
  // nothing about the input can be learnt or confirmed from the digest (a plain hash of a
  // guessable value can be checked by anyone). For lookup keys derived from secret text. Use a
  // sealer derived for this purpose alone (Derive), not one that also seals.
  std::array<uint8_t, 32> KeyedDigest(std::string_view data) const;

  // A sealer over a fresh random key (RAND_priv_bytes), for data keys. Aborts the process if
  // OpenSSL has no entropy, like Seal.
  static Sealer Random();
  // Key wrapping: `key`'s key material sealed under this key, and back. The material never
  // leaves these two calls in clear. Unwrap fails like Open, and with kAuthenticationFailed when
  // the opened bytes are not a key.
  std::string Wrap(const Sealer& key, std::string_view associated_data) const;
  Result<Sealer, SealError> Unwrap(std::string_view wrapped,
                                   std::string_view associated_data) const;

  // A sealer over HKDF-SHA256(this key, info = `label`): one sub-key per purpose. Deterministic:
  // the same root key and label give the same sub-key after every restart.
  Sealer Derive(std::string_view label) const;

  // The first 4 bytes of SHA-256(key), as stored in every sealed value (big-endian).
  uint32_t key_id() const;

 private:
  Sealer() = default;
  std::array<uint8_t, kKeySize> key_{};
  std::array<uint8_t, kKeyIdSize> key_id_{};
};

// --- the root key --------------------------------------------------------------------------

// A key file: 32 raw bytes, or 64 hex characters (optionally followed by one newline). Refused
// when group or others may read or write it, when it is not a regular file, when its owner is
// neither this process's user nor root, or when it lies inside `data_dir` (a backup or copy of
// the data directory must not carry the key that protects it). Symbolic links are followed
// (mounted secrets are often links); the checks apply to the file they lead to, and to both the
// path as given and the resolved path for the data-directory rule.
struct RootKeyFile {
  std::string path;
  std::string data_dir;  // empty: no data-directory check
};

// An environment variable holding the key as 64 hex characters (e.g. WHARF_ROOT_KEY). Its value
// never appears in an error message.
struct RootKeyFromEnvironment {
  std::string variable;
};

// A passphrase stretched with scrypt (N = 2^17, r = 8, p = 1: 128 MiB and about 0.4 s per
// derivation; security.md §4.6). scrypt rather than PBKDF2: it is memory-hard, so guessing
// passphrases on GPUs costs far more; PBKDF2-HMAC-SHA256 would only be needed under FIPS. The
// salt, the parameters and a check value live in a small text file at `params_path` (next to the
// data; created by CreatePassphraseKey), so a wrong passphrase is reported as such before any
// data is read. The passphrase itself should come from a file descriptor, an environment
// variable or a systemd credential, never from argv; the caller wipes its copy.
struct RootKeyFromPassphrase {
  std::string passphrase;
  std::string params_path;
};

using RootKeySource = std::variant<RootKeyFile, RootKeyFromEnvironment, RootKeyFromPassphrase>;

// Loads the root key. Every error is a sentence for the operator naming the path or variable
// (never the key): the server should refuse to start with it.
Result<Sealer, std::string> LoadRootKey(const RootKeySource& source);

// First start with a key file: writes 32 fresh random bytes as 64 hex characters and a newline
// to `file.path` with mode 0600, never replacing an existing file (written under a temporary
// name, synced, then linked into place, so a crash leaves no half-written key). Refuses a path
// inside `file.data_dir`. Returns the sealer over the new key.
Result<Sealer, std::string> CreateKeyFile(const RootKeyFile& file);

// A passphrase kept in a file: puts its contents without one trailing newline (or CR LF) in
// `passphrase`. Refused on the grounds a key file is (group or others may access it, a foreign
// owner, not a regular file), and when empty or larger than 4 KiB. The caller wipes its copy.
Status<std::string> ReadPassphraseFile(const std::string& path, std::string& passphrase);

// Overwrites a string that held a secret (in a way the compiler cannot drop) and empties it.
void WipeSecret(std::string& secret);

// First start with a passphrase: draws a random 32-byte salt, writes the parameters file (mode
// 0600, never replacing an existing one) and returns the sealer over the derived key. Passphrases
// shorter than 8 bytes are refused.
Result<Sealer, std::string> CreatePassphraseKey(const RootKeyFromPassphrase& source);

}  // namespace wharf
