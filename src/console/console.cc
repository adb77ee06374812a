#include "console/console.h"

#include <algorithm>
#include <array>
#include <string>

#include "common/hashing.h"
#include "console/embedded.h"

namespace wharf::console {
namespace {

constexpr std::string_view kPrefix = "/console";

// No inline script or style, nothing from another origin, no framing, no form posts: the page
// talks to this server's API with fetch() and nothing else.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

std::string_view ContentTypeOf(std::string_view name) {
  auto ends_with = [&](std::string_view suffix) {
    return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  if (ends_with(".html")) return "text/html; charset=utf-8";
  if (ends_with(".js")) return "text/javascript; charset=utf-8";
  if (ends_with(".css")) return "text/css; charset=utf-8";
  if (ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

// The ETag of each embedded file, computed once.
const std::array<std::string, kEmbeddedFileCount>& ETags() {
  static const std::array<std::string, kEmbeddedFileCount> tags = [] {
    std::array<std::string, kEmbeddedFileCount> out;
    for (size_t i = 0; i < kEmbeddedFileCount; ++i) {
      out[i] = "\"" + HexLower(Sha256Of(kEmbeddedFiles[i].bytes)).substr(0, 32) + "\"";
    }
    return out;
  }();
  return tags;
}

void AddSecurityHeaders(net::HttpResponse& response) {
  response.headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  response.headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  response.headers.emplace_back("Cross-Origin-Resource-Policy", "same-origin");
}

}  // namespace

bool IsConsolePath(std::string_view path) {
  if (path.substr(0, kPrefix.size()) != kPrefix) return false;
  path.remove_prefix(kPrefix.size());
  return path.empty() || path.front() == '/';
}

net::HttpResponse Serve(std::string_view path, std::string_view if_none_match) {
  std::string_view name = path.substr(std::min(path.size(), kPrefix.size()));
  if (!name.empty()) name.remove_prefix(1);  // the '/'
  if (name.empty()) name = "index.html";
  net::HttpResponse response;
  AddSecurityHeaders(response);
  for (size_t i = 0; i < kEmbeddedFileCount; ++i) {
    if (kEmbeddedFiles[i].name != name) continue;
    const std::string& etag = ETags()[i];
    // Revalidated on every load (no-cache), so a new binary's files are used at once.
    response.headers.emplace_back("Cache-Control", "no-cache");
    response.headers.emplace_back("ETag", etag);
    if (if_none_match == etag) {
      response.status = 304;
      return response;
    }
    response.headers.emplace_back("Content-Type", std::string(ContentTypeOf(name)));
    response.body = std::string(kEmbeddedFiles[i].bytes);
    return response;
  }
  response.status = 404;
  response.headers.emplace_back("Cache-Control", "no-store");
  response.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  response.body = "Not found\n";
  return response;
}

}  // namespace wharf::console
