#pragma once

#include "api/handler_table.h"
#include "kms/service.h"

namespace wharf::kms {

// Binds every KMS action to its handler.
void RegisterHandlers(api::HandlerTable<KeyService>& table);

}  // namespace wharf::kms
