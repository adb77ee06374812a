#pragma once

// The web console's static files (assets/, embedded in the binary at build time), served at
// GET /console and /console/<file> on the API port. The files are plain HTML, CSS and ES
// modules; the page signs every call it makes with SigV4 in the browser, with the credentials
// its user typed in, against the ordinary API: the console has no privileged endpoint and no
// session of its own (docs/console.md). Serving the files needs no credentials: they hold no
// data.
//
// Thread-safety: any thread; the files are immutable.

#include <string_view>

#include "net/http.h"

namespace wharf::console {

// "/console", "/console/" and "/console/<file>": the paths the console answers for. Account
// ids are 12 digits, so no queue URL ("/<account>/<queue>") starts with "/console/".
bool IsConsolePath(std::string_view path);

// The answer to GET `path` (IsConsolePath): the file with its content type and the security
// headers (a strict Content-Security-Policy: scripts, styles and fetches from this origin
// only), 304 when `if_none_match` names its ETag, or 404.
net::HttpResponse Serve(std::string_view path, std::string_view if_none_match);

}  // namespace wharf::console
