#pragma once

#include "api/handler_table.h"
#include "sns/service.h"

namespace wharf::sns {

// Binds every SNS action to its handler.
void RegisterHandlers(api::HandlerTable<SnsService>& table);

}  // namespace wharf::sns
