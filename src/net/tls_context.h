#pragma once

// The server's OpenSSL context, configured as security.md §5.1 says, with the certificate chain
// and key loaded and checked. Private to net/: it exposes Asio's ssl::context.

#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "common/result.h"
#include "net/http_server.h"
#include "net/net_error.h"

namespace wharf::net {

// Builds a fresh context from the files named in `options` (start-up and every reload). Fails
// with a message naming the file when one is missing, unreadable or not PEM, when the key does
// not match the leaf certificate, or when a key is weaker than RSA-2048/P-256 (security level 2).
Result<std::shared_ptr<boost::asio::ssl::context>, NetError> MakeTlsContext(
    const TlsOptions& options);

}  // namespace wharf::net
