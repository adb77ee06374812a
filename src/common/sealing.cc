#include "common/sealing.h"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "common/hashing.h"

namespace wharf {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void Fatal(const char* what) {
  std::fprintf(stderr, "wharf: fatal: sealing: %s\n", what);
  std::abort();
}

// Fetched once: a provider lookup per call would be wasted work.
const EVP_CIPHER* Aes256Gcm() {
  static const EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return cipher;
}

// One AES-256-GCM context per thread and direction, reused. Allocating a context per value
// costs about 0.1 µs and keying it (AES round keys and the GHASH table) about 0.4 µs, as much as
// sealing a 300-byte value; a context keeps the last key it was given and is keyed again only
// when another key comes along, so a thread sealing many values under one key pays neither.
class ThreadCipher {
 public:
  explicit ThreadCipher(bool encrypt) : ctx_(EVP_CIPHER_CTX_new()), encrypt_(encrypt ? 1 : 0) {}
  ~ThreadCipher() {
    EVP_CIPHER_CTX_free(ctx_);  // wipes the expanded key
    OPENSSL_cleanse(key_.data(), key_.size());
  }
  ThreadCipher(const ThreadCipher&) = delete;
  ThreadCipher& operator=(const ThreadCipher&) = delete;

  // The context, keyed with `key` and started with `nonce`; nullptr if OpenSSL fails.
  EVP_CIPHER_CTX* Start(const std::array<uint8_t, Sealer::kKeySize>& key,
                        const unsigned char* nonce) {
    if (ctx_ == nullptr || Aes256Gcm() == nullptr) return nullptr;
    const bool same_key = keyed_ && CRYPTO_memcmp(key_.data(), key.data(), key.size()) == 0;
    // Without a cipher and key, Init only sets the nonce and resets the GCM state (also after
    // a failed Open), keeping the expanded key.
    const int started =
        same_key ? EVP_CipherInit_ex2(ctx_, nullptr, nullptr, nonce, encrypt_, nullptr)
                 : EVP_CipherInit_ex2(ctx_, Aes256Gcm(), key.data(), nonce, encrypt_, nullptr);
    if (started != 1) {
      keyed_ = false;
      return nullptr;
    }
    if (!same_key) {
      key_ = key;
      keyed_ = true;
    }
    return ctx_;
  }

 private:
  EVP_CIPHER_CTX* ctx_;
  const int encrypt_;
  std::array<uint8_t, Sealer::kKeySize> key_{};
  bool keyed_ = false;
};

EVP_CIPHER_CTX* StartEncryption(const std::array<uint8_t, Sealer::kKeySize>& key,
                                const unsigned char* nonce) {
  thread_local ThreadCipher cipher(true);
  return cipher.Start(key, nonce);
}

EVP_CIPHER_CTX* StartDecryption(const std::array<uint8_t, Sealer::kKeySize>& key,
                                const unsigned char* nonce) {
  thread_local ThreadCipher cipher(false);
  return cipher.Start(key, nonce);
}
using KdfCtx = std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)>;

KdfCtx NewKdf(const char* name) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, name, nullptr);
  KdfCtx ctx(kdf ? EVP_KDF_CTX_new(kdf) : nullptr, &EVP_KDF_CTX_free);
  EVP_KDF_free(kdf);  // the context keeps its own reference
  return ctx;
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// OpenSSL counts in int; values are fed in pieces no larger than this.
constexpr size_t kMaxChunk = size_t{1} << 30;

// A key-sized buffer wiped when it goes out of scope.
struct KeyBuffer {
  std::array<uint8_t, Sealer::kKeySize> bytes{};
  ~KeyBuffer() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

// A string holding secret bytes, wiped when it goes out of scope.
struct SecretString {
  std::string value;
  ~SecretString() { OPENSSL_cleanse(value.data(), value.size()); }
};

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsHex(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return HexDigit(c) >= 0; });
}

// Decodes hex of exactly out.size() bytes; false on any other length or a non-hex character.
template <size_t N>
bool DecodeHex(std::string_view text, std::array<uint8_t, N>& out) {
  if (text.size() != 2 * N || !IsHex(text)) return false;
  for (size_t i = 0; i < N; ++i) {
    out[i] = static_cast<uint8_t>(HexDigit(text[2 * i]) * 16 + HexDigit(text[2 * i + 1]));
  }
  return true;
}

std::optional<std::string> DecodeHexString(std::string_view text) {
  if (text.size() % 2 != 0 || !IsHex(text)) return std::nullopt;
  std::string out(text.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<char>(HexDigit(text[2 * i]) * 16 + HexDigit(text[2 * i + 1]));
  }
  return out;
}

std::string HexOf(std::string_view bytes) { return HexLower(Bytes(bytes), bytes.size()); }

std::string Errno(int error) { return std::strerror(error); }

std::string Octal(mode_t mode) {
  char buffer[8];
  std::snprintf(buffer, sizeof(buffer), "%04o", static_cast<unsigned>(mode & 07777));
  return buffer;
}

// --- paths ------------------------------------------------------------------------------------

// Whether `path` is `dir` or lies under it, comparing whole components.
bool Under(fs::path path, fs::path dir) {
  if (dir.empty()) return false;
  if (!dir.has_filename()) dir = dir.parent_path();  // "a/b/" is "a/b"
  auto p = path.begin();
  for (auto d = dir.begin(); d != dir.end(); ++d, ++p) {
    if (p == path.end() || *p != *d) return false;
  }
  return true;
}

// Whether `path` lies inside `data_dir`, as written (made absolute and normalized) or once every
// symbolic link on either side is resolved.
bool InsideDataDir(const std::string& path, const std::string& data_dir) {
  if (data_dir.empty()) return false;
  std::error_code ec;
  const fs::path abs_path = fs::absolute(path, ec).lexically_normal();
  const fs::path abs_dir = fs::absolute(data_dir, ec).lexically_normal();
  if (Under(abs_path, abs_dir)) return true;
  std::error_code ec_path, ec_dir;
  const fs::path real_path = fs::weakly_canonical(path, ec_path);
  const fs::path real_dir = fs::weakly_canonical(data_dir, ec_dir);
  return !ec_path && !ec_dir && Under(real_path, real_dir);
}

std::string DataDirRefusal(const std::string& what, const std::string& path,
                           const std::string& data_dir) {
  std::string out = what;
  out.append(" ").append(path).append(" is inside the data directory ").append(data_dir);
  out.append(": keep the key that protects the data away from it (a copy or backup of the data ");
  out.append("directory must not carry its key)");
  return out;
}

// Writes `contents` to a new file `path` with mode 0600: under a temporary name first, synced,
// then linked into place (link() never replaces an existing file), so `path` is either absent
// or complete. The directory is synced so the new name survives a crash.
Status<std::string> WriteNewSecretFile(const std::string& path, std::string_view contents) {
  std::array<uint8_t, 6> suffix{};
  if (RAND_bytes(suffix.data(), static_cast<int>(suffix.size())) != 1) {
    return std::string("cannot draw random bytes for a temporary name");
  }
  std::string temporary = path;
  temporary.append(".tmp-").append(HexLower(suffix.data(), suffix.size()));
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        S_IRUSR | S_IWUSR);
  if (fd < 0) {
    const int error = errno;
    std::string out = "cannot create ";
    out.append(temporary).append(": ").append(Errno(error));
    return out;
  }
  auto fail = [&](const char* step, int error) {
    ::close(fd);
    ::unlink(temporary.c_str());
    std::string out = "cannot ";
    out.append(step).append(" ").append(temporary).append(": ").append(Errno(error));
    return out;
  };
  if (::fchmod(fd, S_IRUSR | S_IWUSR) != 0) return fail("set the mode of", errno);
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("write", n < 0 ? errno : EIO);
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("sync", errno);
  if (::close(fd) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    return "cannot close " + temporary + ": " + Errno(error);
  }
  if (::link(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    std::string out = error == EEXIST ? "refusing to replace the existing file " : "cannot create ";
    out.append(path);
    if (error != EEXIST) out.append(": ").append(Errno(error));
    return out;
  }
  ::unlink(temporary.c_str());
  fs::path parent = fs::path(path).parent_path();
  if (parent.empty()) parent = ".";
  const int dir = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    const int synced = ::fsync(dir);
    const int error = errno;
    ::close(dir);
    if (synced != 0) return "cannot sync directory " + parent.string() + ": " + Errno(error);
  }
  return {};
}

// Reads a small file that holds a secret, refusing one that others could read or replace.
// `what` names it in messages ("root key file").
Result<SecretString, std::string> ReadSecretFile(const std::string& what, const std::string& path,
                                                 size_t max_size) {
  // O_NONBLOCK: a FIFO planted at the path must not hang the start-up (refused just below).
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    const int error = errno;
    std::string out = "cannot open ";
    out.append(what).append(" ").append(path).append(": ").append(Errno(error));
    return out;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int error = errno;
    ::close(fd);
    return "cannot stat " + what + " " + path + ": " + Errno(error);
  }
  std::string refusal;
  if (!S_ISREG(st.st_mode)) {
    refusal.append(what).append(" ").append(path).append(" is not a regular file");
  } else if ((st.st_mode & 077) != 0) {
    refusal.append(what).append(" ").append(path).append(" has mode ").append(Octal(st.st_mode));
    refusal.append(": group and others must have no access to it (chmod 600 ").append(path);
    refusal.append(")");
  } else if (st.st_uid != ::geteuid() && st.st_uid != 0) {
    refusal.append(what).append(" ").append(path).append(" is owned by uid ");
    refusal.append(std::to_string(st.st_uid)).append(", neither this process's user (uid ");
    refusal.append(std::to_string(::geteuid())).append(") nor root");
  }
  if (!refusal.empty()) {
    ::close(fd);
    return refusal;
  }
  SecretString contents;
  contents.value.resize(max_size + 1);
  size_t size = 0;
  while (size < contents.value.size()) {
    const ssize_t n = ::read(fd, contents.value.data() + size, contents.value.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return "cannot read " + what + " " + path + ": " + Errno(error);
    }
    if (n == 0) break;
    size += static_cast<size_t>(n);
  }
  ::close(fd);
  if (size > max_size) {
    return what + " " + path + " is larger than " + std::to_string(max_size) + " bytes";
  }
  contents.value.resize(size);
  return contents;
}

// --- key derivations ----------------------------------------------------------------------------

struct ScryptParams {
  uint64_t n = uint64_t{1} << 17;
  uint32_t r = 8;
  uint32_t p = 1;
};
constexpr uint64_t kScryptMaxMemory = uint64_t{1} << 30;
constexpr size_t kSaltSize = 32;
constexpr size_t kMinPassphrase = 8;
constexpr size_t kMaxPassphraseFile = 4096;
constexpr std::string_view kParamsHeader = "wharf root key parameters v1";
constexpr std::string_view kCheckAssociatedData = "wharf root key check v1";

bool Scrypt(std::string_view passphrase, std::string_view salt, const ScryptParams& params,
            std::array<uint8_t, Sealer::kKeySize>& out) {
  KdfCtx ctx = NewKdf("SCRYPT");
  if (!ctx) return false;
  uint64_t n = params.n;
  uint32_t r = params.r;
  uint32_t p = params.p;
  uint64_t max_memory = kScryptMaxMemory + (uint64_t{1} << 20);
  // OSSL_PARAM wants non-const pointers; nothing writes through them.
  const OSSL_PARAM list[] = {
      OSSL_PARAM_construct_octet_string(
          OSSL_KDF_PARAM_PASSWORD, const_cast<char*>(passphrase.empty() ? "" : passphrase.data()),
          passphrase.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()),
                                        salt.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &max_memory),
      OSSL_PARAM_construct_end(),
  };
  return EVP_KDF_derive(ctx.get(), out.data(), out.size(), list) == 1;
}

bool SaneScrypt(const ScryptParams& params) {
  const bool power_of_two = params.n >= 2 && (params.n & (params.n - 1)) == 0;
  return power_of_two && params.n >= (uint64_t{1} << 14) && params.n <= (uint64_t{1} << 20) &&
         params.r >= 1 && params.r <= 32 && params.p >= 1 && params.p <= 16 &&
         128 * params.n * params.r <= kScryptMaxMemory;
}

std::optional<uint64_t> ParseUnsigned(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

// The parameters file: seven lines, in this order (docs/storage-format.md).
struct PassphraseParams {
  ScryptParams scrypt;
  std::string salt;
  std::string check;  // Seal("", kCheckAssociatedData) under the derived key
};

std::string FormatParams(const PassphraseParams& params) {
  std::string out(kParamsHeader);
  out.append("\nkdf scrypt\nn ").append(std::to_string(params.scrypt.n));
  out.append("\nr ").append(std::to_string(params.scrypt.r));
  out.append("\np ").append(std::to_string(params.scrypt.p));
  out.append("\nsalt ").append(HexOf(params.salt));
  out.append("\ncheck ").append(HexOf(params.check)).append("\n");
  return out;
}

std::optional<PassphraseParams> ParseParams(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    if (end == std::string_view::npos) return std::nullopt;  // every line ends with a newline
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  if (lines.size() != 7 || lines[0] != kParamsHeader || lines[1] != "kdf scrypt") {
    return std::nullopt;
  }
  auto field = [&](size_t i, std::string_view name) -> std::optional<std::string_view> {
    if (lines[i].size() <= name.size() + 1 || !lines[i].starts_with(name) ||
        lines[i][name.size()] != ' ') {
      return std::nullopt;
    }
    return lines[i].substr(name.size() + 1);
  };
  PassphraseParams params;
  auto n = field(2, "n"), r = field(3, "r"), p = field(4, "p");
  auto salt = field(5, "salt"), check = field(6, "check");
  if (!n || !r || !p || !salt || !check) return std::nullopt;
  auto n_value = ParseUnsigned(*n), r_value = ParseUnsigned(*r), p_value = ParseUnsigned(*p);
  if (!n_value || !r_value || !p_value || *r_value > UINT32_MAX || *p_value > UINT32_MAX) {
    return std::nullopt;
  }
  params.scrypt = {*n_value, static_cast<uint32_t>(*r_value), static_cast<uint32_t>(*p_value)};
  auto salt_bytes = DecodeHexString(*salt);
  auto check_bytes = DecodeHexString(*check);
  if (!SaneScrypt(params.scrypt) || !salt_bytes || salt_bytes->size() < 16 ||
      salt_bytes->size() > 64 || !check_bytes) {
    return std::nullopt;
  }
  params.salt = std::move(*salt_bytes);
  params.check = std::move(*check_bytes);
  return params;
}

Result<Sealer, std::string> LoadKeyFile(const RootKeyFile& file) {
  if (file.path.empty()) return std::string("no root key file given");
  if (InsideDataDir(file.path, file.data_dir)) {
    return DataDirRefusal("root key file", file.path, file.data_dir);
  }
  WHARF_ASSIGN_OR_RETURN(SecretString contents, ReadSecretFile("root key file", file.path, 66));
  std::string_view text = contents.value;
  KeyBuffer key;
  if (text.size() == Sealer::kKeySize) {
    // 32 hex characters are half a key in hex far more likely than 32 random bytes.
    if (IsHex(text)) {
      return "root key file " + file.path +
             " holds 32 hex characters (16 bytes); a key is 64 hex characters (32 bytes)";
    }
    std::memcpy(key.bytes.data(), text.data(), key.bytes.size());
  } else {
    if (text.ends_with("\r\n")) {
      text.remove_suffix(2);
    } else if (text.ends_with('\n')) {
      text.remove_suffix(1);
    }
    if (!DecodeHex(text, key.bytes)) {
      return "root key file " + file.path +
             " is not a key: expected 32 raw bytes or 64 hex characters";
    }
  }
  return Sealer::FromKey(
      std::string_view(reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size()));
}

Result<Sealer, std::string> LoadFromEnvironment(const RootKeyFromEnvironment& env) {
  if (env.variable.empty()) return std::string("no environment variable named for the root key");
  const char* value = std::getenv(env.variable.c_str());
  if (value == nullptr) return "environment variable " + env.variable + " is not set";
  const std::string_view text(value);
  KeyBuffer key;
  if (text.size() != 2 * Sealer::kKeySize) {
    return "environment variable " + env.variable + " must hold 64 hex characters (32 bytes); " +
           "it holds " + std::to_string(text.size()) + " characters";
  }
  if (!DecodeHex(text, key.bytes)) {
    return "environment variable " + env.variable +
           " must hold 64 hex characters (32 bytes); it holds a character that is not hex";
  }
  return Sealer::FromKey(
      std::string_view(reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size()));
}

Result<Sealer, std::string> SealerFromPassphrase(std::string_view passphrase,
                                                 const PassphraseParams& params) {
  KeyBuffer key;
  if (!Scrypt(passphrase, params.salt, params.scrypt, key.bytes)) {
    return std::string("scrypt failed (out of memory?)");
  }
  return Sealer::FromKey(
      std::string_view(reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size()));
}

Result<Sealer, std::string> LoadFromPassphrase(const RootKeyFromPassphrase& source) {
  if (source.params_path.empty()) return std::string("no root key parameters file given");
  WHARF_ASSIGN_OR_RETURN(SecretString contents,
                         ReadSecretFile("root key parameters file", source.params_path, 4096));
  std::optional<PassphraseParams> params = ParseParams(contents.value);
  if (!params) {
    return "root key parameters file " + source.params_path +
           " is damaged or not a parameters file";
  }
  WHARF_ASSIGN_OR_RETURN(Sealer sealer, SealerFromPassphrase(source.passphrase, *params));
  Result<std::string, SealError> check = sealer.Open(params->check, kCheckAssociatedData);
  if (!check.ok()) {
    if (check.error() == SealError::kWrongKey ||
        check.error() == SealError::kAuthenticationFailed) {
      return "the passphrase is not the one " + source.params_path + " was created with";
    }
    return "root key parameters file " + source.params_path + " has a damaged check value";
  }
  return sealer;
}

}  // namespace

std::string_view SealErrorName(SealError error) {
  switch (error) {
    case SealError::kTruncated:
      return "truncated";
    case SealError::kUnknownVersion:
      return "unknown version";
    case SealError::kWrongKey:
      return "wrong key";
    case SealError::kAuthenticationFailed:
      return "authentication failed";
  }
  return "unknown";
}

// --- Sealer -------------------------------------------------------------------------------------

Result<Sealer, std::string> Sealer::FromKey(std::string_view key) {
  if (key.size() != kKeySize) {
    return "a sealing key is " + std::to_string(kKeySize) + " bytes, not " +
           std::to_string(key.size());
  }
  Sealer sealer;
  std::memcpy(sealer.key_.data(), key.data(), kKeySize);
  const Sha256Digest digest = Sha256Of(key);
  std::copy_n(digest.begin(), kKeyIdSize, sealer.key_id_.begin());
  return sealer;
}

Sealer::~Sealer() { OPENSSL_cleanse(key_.data(), key_.size()); }

uint32_t Sealer::key_id() const {
  return (uint32_t{key_id_[0]} << 24) | (uint32_t{key_id_[1]} << 16) | (uint32_t{key_id_[2]} << 8) |
         uint32_t{key_id_[3]};
}

std::string Sealer::Seal(std::string_view plaintext, std::string_view associated_data) const {
  std::string out;
  SealTo(plaintext, associated_data, out);
  return out;
}

void Sealer::SealTo(std::string_view plaintext, std::string_view associated_data,
                    std::string& out) const {
  Nonce nonce;
  if (RAND_bytes(nonce.data(), static_cast<int>(nonce.size())) != 1) Fatal("no random nonce");
  SealTo(plaintext, associated_data, nonce, out);
}

void Sealer::SealTo(std::string_view plaintext, std::string_view associated_data,
                    const Nonce& nonce, std::string& out) const {
  constexpr size_t kHeader = 1 + kKeyIdSize;
  out.resize(kOverhead + plaintext.size());
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  bytes[0] = kVersion;
  std::copy(key_id_.begin(), key_id_.end(), bytes + 1);
  std::copy(nonce.begin(), nonce.end(), bytes + kHeader);
  unsigned char* ciphertext = bytes + kHeader + kNonceSize;
  unsigned char* tag = ciphertext + plaintext.size();

  EVP_CIPHER_CTX* ctx = StartEncryption(key_, nonce.data());
  if (ctx == nullptr) Fatal("cannot start AES-256-GCM");
  int n = 0;
  // The header is authenticated with the caller's associated data.
  if (EVP_EncryptUpdate(ctx, nullptr, &n, bytes, static_cast<int>(kHeader)) != 1) {
    Fatal("cannot authenticate the header");
  }
  for (size_t at = 0; at < associated_data.size(); at += kMaxChunk) {
    const size_t len = std::min(kMaxChunk, associated_data.size() - at);
    if (EVP_EncryptUpdate(ctx, nullptr, &n, Bytes(associated_data) + at, static_cast<int>(len)) !=
        1) {
      Fatal("cannot authenticate the associated data");
    }
  }
  for (size_t at = 0; at < plaintext.size(); at += kMaxChunk) {
    const size_t len = std::min(kMaxChunk, plaintext.size() - at);
    if (EVP_EncryptUpdate(ctx, ciphertext + at, &n, Bytes(plaintext) + at, static_cast<int>(len)) !=
        1) {
      Fatal("cannot encrypt");
    }
  }
  if (EVP_EncryptFinal_ex(ctx, tag, &n) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize), tag) != 1) {
    Fatal("cannot finish AES-256-GCM");
  }
}

Result<std::string, SealError> Sealer::Open(std::string_view sealed,
                                            std::string_view associated_data) const {
  SecretString plaintext;
  Status<SealError> opened = OpenTo(sealed, associated_data, plaintext.value);
  if (!opened.ok()) return opened.error();
  // A copy, so the buffer that held the plaintext is wiped whatever its size (a moved-from short
  // string keeps its bytes in place).
  return std::string(plaintext.value);
}

Status<SealError> Sealer::OpenTo(std::string_view sealed, std::string_view associated_data,
                                 std::string& out) const {
  constexpr size_t kHeader = 1 + kKeyIdSize;
  if (sealed.size() < kOverhead) return SealError::kTruncated;
  const auto* bytes = Bytes(sealed);
  if (bytes[0] != kVersion) return SealError::kUnknownVersion;
  if (!std::equal(key_id_.begin(), key_id_.end(), bytes + 1)) return SealError::kWrongKey;
  const unsigned char* nonce = bytes + kHeader;
  const unsigned char* ciphertext = nonce + kNonceSize;
  const size_t size = sealed.size() - kOverhead;
  std::array<unsigned char, kTagSize> tag{};
  std::copy_n(ciphertext + size, kTagSize, tag.begin());

  // Decryption writes the plaintext before the tag is checked: on any failure it is wiped.
  auto fail = [&out] {
    OPENSSL_cleanse(out.data(), out.size());
    out.clear();
    return SealError::kAuthenticationFailed;
  };
  out.resize(size);
  auto* plaintext = reinterpret_cast<unsigned char*>(out.data());
  EVP_CIPHER_CTX* ctx = StartDecryption(key_, nonce);
  int n = 0;
  if (ctx == nullptr ||
      EVP_DecryptUpdate(ctx, nullptr, &n, bytes, static_cast<int>(kHeader)) != 1) {
    return fail();
  }
  for (size_t at = 0; at < associated_data.size(); at += kMaxChunk) {
    const size_t len = std::min(kMaxChunk, associated_data.size() - at);
    if (EVP_DecryptUpdate(ctx, nullptr, &n, Bytes(associated_data) + at, static_cast<int>(len)) !=
        1) {
      return fail();
    }
  }
  for (size_t at = 0; at < size; at += kMaxChunk) {
    const size_t len = std::min(kMaxChunk, size - at);
    if (EVP_DecryptUpdate(ctx, plaintext + at, &n, ciphertext + at, static_cast<int>(len)) != 1) {
      return fail();
    }
  }
  // The expected tag goes in before Final; a non-positive Final is an authentication failure.
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize), tag.data()) != 1) {
    return fail();
  }
  unsigned char final_block[16];
  if (EVP_DecryptFinal_ex(ctx, final_block, &n) <= 0) return fail();
  return {};
}

Sealer Sealer::Random() {
  KeyBuffer key;
  if (RAND_priv_bytes(key.bytes.data(), static_cast<int>(key.bytes.size())) != 1) {
    Fatal("cannot draw a random key");
  }
  return std::move(FromKey(std::string_view(reinterpret_cast<const char*>(key.bytes.data()),
                                            key.bytes.size())))
      .value();
}

std::string Sealer::Wrap(const Sealer& key, std::string_view associated_data) const {
  return Seal(std::string_view(reinterpret_cast<const char*>(key.key_.data()), key.key_.size()),
              associated_data);
}

Result<Sealer, SealError> Sealer::Unwrap(std::string_view wrapped,
                                         std::string_view associated_data) const {
  SecretString material;
  Status<SealError> opened = OpenTo(wrapped, associated_data, material.value);
  if (!opened.ok()) return opened.error();
  Result<Sealer, std::string> key = FromKey(material.value);
  if (!key.ok()) return SealError::kAuthenticationFailed;
  return std::move(key).value();
}

std::array<uint8_t, 32> Sealer::KeyedDigest(std::string_view data) const {
  return HmacSha256(std::string_view(reinterpret_cast<const char*>(key_.data()), key_.size()),
                    data);
}

Sealer Sealer::Derive(std::string_view label) const {
  KdfCtx ctx = NewKdf("HKDF");
  if (!ctx) Fatal("no HKDF");
  KeyBuffer derived;
  const OSSL_PARAM list[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<uint8_t*>(key_.data()),
                                        key_.size()),
      OSSL_PARAM_construct_octet_string(
          OSSL_KDF_PARAM_INFO, const_cast<char*>(label.empty() ? "" : label.data()), label.size()),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_KDF_derive(ctx.get(), derived.bytes.data(), derived.bytes.size(), list) != 1) {
    Fatal("HKDF failed");
  }
  Result<Sealer, std::string> sealer = FromKey(
      std::string_view(reinterpret_cast<const char*>(derived.bytes.data()), derived.bytes.size()));
  return std::move(sealer).value();
}

// --- the root key --------------------------------------------------------------------------

Result<Sealer, std::string> LoadRootKey(const RootKeySource& source) {
  if (const auto* file = std::get_if<RootKeyFile>(&source)) return LoadKeyFile(*file);
  if (const auto* env = std::get_if<RootKeyFromEnvironment>(&source)) {
    return LoadFromEnvironment(*env);
  }
  return LoadFromPassphrase(std::get<RootKeyFromPassphrase>(source));
}

Result<Sealer, std::string> CreateKeyFile(const RootKeyFile& file) {
  if (file.path.empty()) return std::string("no root key file given");
  if (InsideDataDir(file.path, file.data_dir)) {
    return DataDirRefusal("root key file", file.path, file.data_dir);
  }
  KeyBuffer key;
  if (RAND_priv_bytes(key.bytes.data(), static_cast<int>(key.bytes.size())) != 1) {
    return std::string("cannot draw random bytes for a root key");
  }
  SecretString contents;
  contents.value = HexLower(key.bytes.data(), key.bytes.size());
  contents.value.push_back('\n');
  Status<std::string> written = WriteNewSecretFile(file.path, contents.value);
  if (!written.ok()) return "cannot create root key file: " + written.error();
  return Sealer::FromKey(
      std::string_view(reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size()));
}

void WipeSecret(std::string& secret) {
  OPENSSL_cleanse(secret.data(), secret.size());
  secret.clear();
}

Status<std::string> ReadPassphraseFile(const std::string& path, std::string& passphrase) {
  if (path.empty()) return std::string("no root passphrase file given");
  WHARF_ASSIGN_OR_RETURN(SecretString contents,
                         ReadSecretFile("root passphrase file", path, kMaxPassphraseFile));
  std::string_view text = contents.value;
  if (text.ends_with("\r\n")) {
    text.remove_suffix(2);
  } else if (text.ends_with('\n')) {
    text.remove_suffix(1);
  }
  if (text.empty()) return "root passphrase file " + path + " is empty";
  passphrase.assign(text);
  return {};
}

Result<Sealer, std::string> CreatePassphraseKey(const RootKeyFromPassphrase& source) {
  if (source.params_path.empty()) return std::string("no root key parameters file given");
  if (source.passphrase.size() < kMinPassphrase) {
    return "a root key passphrase needs at least " + std::to_string(kMinPassphrase) + " bytes";
  }
  PassphraseParams params;
  params.salt.resize(kSaltSize);
  if (RAND_bytes(reinterpret_cast<unsigned char*>(params.salt.data()),
                 static_cast<int>(params.salt.size())) != 1) {
    return std::string("cannot draw random bytes for a salt");
  }
  WHARF_ASSIGN_OR_RETURN(Sealer sealer, SealerFromPassphrase(source.passphrase, params));
  params.check = sealer.Seal("", kCheckAssociatedData);
  Status<std::string> written = WriteNewSecretFile(source.params_path, FormatParams(params));
  if (!written.ok()) return "cannot create root key parameters file: " + written.error();
  return sealer;
}

}  // namespace wharf
