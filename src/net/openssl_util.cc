#include "net/openssl_util.h"

#include <openssl/err.h>

#include <algorithm>
#include <cstring>

namespace wharf::net {

std::string TakeOpenSslErrors(std::string_view fallback) {
  // The queue holds the innermost failure first ("no start line", then the "PEM lib" of the
  // caller's call): keep that order, it reads from cause to consequence.
  std::string text;
  const char* data = nullptr;
  int flags = 0;
  while (unsigned long code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
    std::string entry;
    const char* reason = ERR_reason_error_string(code);
    entry = reason != nullptr ? reason : "error " + std::to_string(code);
    if (data != nullptr && (flags & ERR_TXT_STRING) != 0 && *data != '\0') {
      entry += " (";
      entry += data;
      entry += ")";
    }
    if (!text.empty()) text += "; ";
    text += entry;
  }
  return text.empty() ? std::string(fallback) : text;
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<size_t>(size)) : std::string();
}

int PassphraseCallback(char* buf, int size, int /*rwflag*/, void* userdata) {
  const auto* passphrase = static_cast<const std::string*>(userdata);
  if (passphrase == nullptr || passphrase->empty() || size <= 0) return 0;  // no passphrase: fail
  const size_t n = std::min(passphrase->size(), static_cast<size_t>(size));
  std::memcpy(buf, passphrase->data(), n);
  return static_cast<int>(n);
}

}  // namespace wharf::net
