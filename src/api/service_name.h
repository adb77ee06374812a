#pragma once

// A service's name as SigV4 credential scopes and Wharf's metrics labels spell it: "sqs", "iam",
// "sts", "kms", "sns". (Defined in action.cc, beside the action table.)

#include <string_view>

#include "api/action.h"

namespace wharf::api {

std::string_view ServiceName(Service service);

}  // namespace wharf::api
