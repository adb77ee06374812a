#pragma once

#include "api/handler_table.h"
#include "iam/service.h"

namespace wharf::iam {

// Binds every IAM and STS action to its handler.
void RegisterHandlers(api::HandlerTable<IdentityService>& table);

}  // namespace wharf::iam
