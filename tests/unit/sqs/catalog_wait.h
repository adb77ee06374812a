#pragma once

// QueueCatalog's Create and Remove answer through a callback, possibly later and on another
// thread (a database catalog's worker). Tests that only need the answer wait for it here, with a
// bound, so a catalog that never answers fails the test instead of hanging it.

#include <chrono>
#include <future>
#include <memory>
#include <string>

#include "sqs/queue_catalog.h"

namespace wharf::sqs::testing {

inline constexpr std::chrono::seconds kCatalogAnswerBound{10};

inline api::ApiResult<QueueCatalog::Created> CreateAndWait(
    QueueCatalog& catalog, const std::string& account, const std::string& name,
    QueueConfig config = {}, api::StringPairs tags = {}, const api::StringPairs& given = {}) {
  auto answer = std::make_shared<std::promise<api::ApiResult<QueueCatalog::Created>>>();
  auto future = answer->get_future();
  catalog.Create(account, name, std::move(config), std::move(tags), given,
                 [answer](api::ApiResult<QueueCatalog::Created> created) {
                   answer->set_value(std::move(created));
                 });
  if (future.wait_for(kCatalogAnswerBound) != std::future_status::ready) {
    return api::Error(api::ErrorCode::kInternalFailure, "Create did not answer");
  }
  return future.get();
}

inline api::ApiStatus RemoveAndWait(QueueCatalog& catalog,
                                    const std::shared_ptr<QueueBackend>& queue) {
  auto answer = std::make_shared<std::promise<api::ApiStatus>>();
  auto future = answer->get_future();
  catalog.Remove(queue, [answer](api::ApiStatus status) { answer->set_value(std::move(status)); });
  if (future.wait_for(kCatalogAnswerBound) != std::future_status::ready) {
    return api::Error(api::ErrorCode::kInternalFailure, "Remove did not answer");
  }
  return future.get();
}

}  // namespace wharf::sqs::testing
