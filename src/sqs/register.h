#pragma once

#include "api/handler_table.h"
#include "sqs/service.h"

namespace wharf::sqs {

// Binds every implemented SQS action to its handler.
void RegisterHandlers(api::HandlerTable<SqsService>& table);

}  // namespace wharf::sqs
