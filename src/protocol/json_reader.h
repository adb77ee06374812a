#pragma once

// Fills a typed input from an AWS JSON 1.0 body (sqs-api.md §1.4.1). Unknown members are
// ignored; integers may also come as numeric strings; a member of the wrong JSON type is a
// SerializationException, as AWS JSON services answer.

#include <string>

#include "api/error.h"
#include "api/handler_table.h"

namespace wharf::protocol {

// Parses `body` and describes `input` from it. An empty body counts as "{}".
api::ApiStatus DecodeJson(const std::string& body, api::Shape input);

}  // namespace wharf::protocol
