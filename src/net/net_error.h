#pragma once

// The error of everything in net/: a message for the operator (what failed, on which address or
// file, and why). net/ has no error codes; callers only print or test these.

#include <string>

namespace wharf::net {

struct NetError {
  std::string message;
};

}  // namespace wharf::net
