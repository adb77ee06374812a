#pragma once

// Gathers the outcomes of batch entries that complete asynchronously (each goes through the
// engine and the store on its own) and answers once the last one is in, in request order.
//
// An entry refused because the store cannot write (ServiceUnavailable: a full or failing disk)
// fails the whole request with that error instead of being listed in Failed: the SDKs retry a
// 503 by themselves but not a failed entry, and retrying the whole batch is safe (deleting or
// changing the visibility of a message again is answered as the first time).

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/handler_table.h"
#include "sqs/engine/queue.h"
#include "sqs/handlers/common.h"

namespace wharf::sqs {

// `Out` has `successful` (entries with an `id`) and `failed` (BatchResultErrorEntry) lists.
template <typename Out>
class BatchCollector : public std::enable_shared_from_this<BatchCollector<Out>> {
 public:
  BatchCollector(std::vector<std::string> ids, api::Reply<Out> reply)
      : ids_(std::move(ids)),
        outcomes_(ids_.size()),
        pending_(ids_.size()),
        reply_(std::move(reply)) {}

  // The completion of entry `index`.
  Done EntryDone(size_t index) {
    return [self = this->shared_from_this(), index](api::ApiStatus status) {
      self->Record(index, std::move(status));
    };
  }

 private:
  void Record(size_t index, api::ApiStatus status) {
    {
      std::lock_guard lock(mu_);
      if (!status.ok()) outcomes_[index] = std::move(status).error();
      if (--pending_ > 0) return;
    }
    for (const std::optional<api::ApiError>& outcome : outcomes_) {
      if (outcome && outcome->code == api::ErrorCode::kServiceUnavailable) {
        reply_.Fail(*outcome);
        return;
      }
    }
    Out out;
    for (size_t i = 0; i < ids_.size(); ++i) {
      if (outcomes_[i]) {
        out.failed.push_back(FailedEntry(ids_[i], *outcomes_[i]));
      } else {
        out.successful.push_back({ids_[i]});
      }
    }
    reply_.Ok(std::move(out));
  }

  const std::vector<std::string> ids_;
  std::mutex mu_;
  std::vector<std::optional<api::ApiError>> outcomes_;
  size_t pending_;
  api::Reply<Out> reply_;
};

}  // namespace wharf::sqs
