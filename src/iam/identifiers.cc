#include "iam/identifiers.h"

#include <openssl/rand.h>

#include <array>

#include "auth/policy/condition_context.h"
#include "common/base64.h"

namespace wharf::iam {
namespace {

using api::ErrorCode;

void RandomBytes(uint8_t* out, size_t size) {
  if (RAND_bytes(out, static_cast<int>(size)) != 1) {
    // OpenSSL's generator does not fail once seeded; never hand out predictable secrets.
    std::abort();
  }
}

std::string RandomFrom(std::string_view alphabet, size_t count) {
  std::string out;
  out.reserve(count);
  std::array<uint8_t, 64> bytes{};
  size_t used = bytes.size();
  while (out.size() < count) {
    if (used == bytes.size()) {
      RandomBytes(bytes.data(), bytes.size());
      used = 0;
    }
    const uint8_t b = bytes[used++];
    // Rejection sampling keeps the characters uniform.
    const size_t limit = 256 - (256 % alphabet.size());
    if (b < limit) out.push_back(alphabet[b % alphabet.size()]);
  }
  return out;
}

constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kSecretAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+";

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
}

std::string Quote(std::string_view value) {
  std::string out = "'";
  out.append(value);
  out.push_back('\'');
  return out;
}

api::ApiError Constraint(std::string_view member, std::string_view value,
                         std::string_view constraint) {
  std::string message = "1 validation error detected: Value ";
  message.append(Quote(value));
  message.append(" at ");
  message.append(Quote(member));
  message.append(" failed to satisfy constraint: ");
  message.append(constraint);
  return api::Error(ErrorCode::kValidationError, std::move(message));
}

}  // namespace

std::string NewUniqueId(std::string_view prefix) {
  std::string id(prefix);
  id.append(RandomFrom(kBase32, 17));
  return id;
}

std::string NewAccessKeyId(std::string_view prefix) {
  std::string id(prefix);
  id.append(RandomFrom(kBase32, 16));
  return id;
}

std::string NewSecretAccessKey() { return RandomFrom(kSecretAlphabet, 40); }

std::string NewSessionToken() {
  std::string bytes(96, '\0');
  RandomBytes(reinterpret_cast<uint8_t*>(bytes.data()), bytes.size());
  return Base64Encode(bytes);
}

std::string IamArn(std::string_view account_id, std::string_view kind, std::string_view path,
                   std::string_view name) {
  std::string arn = "arn:aws:iam::";
  arn.append(account_id);
  arn.push_back(':');
  arn.append(kind);
  arn.push_back('/');
  if (path.size() > 1) arn.append(path.substr(1));  // "/dev/" → "dev/"
  arn.append(name);
  return arn;
}

std::string AssumedRoleArn(std::string_view account_id, std::string_view role_name,
                           std::string_view session_name) {
  std::string arn = "arn:aws:sts::";
  arn.append(account_id);
  arn.append(":assumed-role/");
  arn.append(role_name);
  arn.push_back('/');
  arn.append(session_name);
  return arn;
}

std::optional<ParsedArn> ParseIamArn(std::string_view arn) {
  constexpr std::string_view kPrefix = "arn:aws:iam::";
  if (arn.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view rest = arn.substr(kPrefix.size());
  const size_t colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  ParsedArn out;
  out.account_id = std::string(rest.substr(0, colon));
  rest = rest.substr(colon + 1);
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  out.kind = std::string(rest.substr(0, slash));
  rest = rest.substr(slash + 1);
  const size_t last = rest.rfind('/');
  // Built with append: GCC 12 at -O3 reports a false -Wrestrict for assigning "/" here.
  std::string path(1, '/');
  if (last == std::string_view::npos) {
    out.name = std::string(rest);
  } else {
    path.append(rest.substr(0, last + 1));
    out.name = std::string(rest.substr(last + 1));
  }
  out.path = std::move(path);
  if (out.name.empty()) return std::nullopt;
  return out;
}

api::ApiError MissingMember(std::string_view member) {
  std::string message = "1 validation error detected: Value null at ";
  message.append(Quote(member));
  message.append(" failed to satisfy constraint: Member must not be null");
  return api::Error(ErrorCode::kValidationError, std::move(message));
}

api::ApiStatus ValidateName(std::string_view member, const std::optional<std::string>& value,
                            size_t max_length) {
  if (!value) return MissingMember(member);
  if (value->empty() || value->size() > max_length) {
    std::string constraint = "Member must have length less than or equal to ";
    constraint.append(std::to_string(max_length));
    constraint.append(" and greater than or equal to 1");
    return Constraint(member, *value, constraint);
  }
  for (char c : *value) {
    if (!IsNameChar(c)) {
      return Constraint(member, *value,
                        "Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    }
  }
  return {};
}

api::ApiStatus ValidatePath(std::string_view member, std::string_view path) {
  bool ok = !path.empty() && path.size() <= 512 && path.front() == '/' && path.back() == '/';
  for (char c : path) ok = ok && c >= 0x21 && c <= 0x7E;
  if (!ok) {
    return Constraint(member, path,
                      "Member must satisfy regular expression pattern: "
                      "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)");
  }
  return {};
}

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string IsoTime(int64_t wall_millis) { return auth::FormatIso8601(wall_millis); }

std::string NameKey(std::string_view name) {
  std::string key(name);
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  }
  return key;
}

}  // namespace wharf::iam
