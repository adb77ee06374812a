#pragma once

// Waiting, on the caller's thread, until everything appended to a store so far is durable.
// Owners that reload their keyed objects while serving (iam, kms, sns) call it just before
// ScanObjects: the scan may miss records appended but not yet durable, and a reload that missed
// this node's own latest change would silently undo it in memory. They call it without holding
// their own lock: a store completion may need that lock, and would then wait for the waiter.

#include <future>

#include "storage/store.h"

namespace wharf::storage {

// Blocks until every record appended before the call is durable; the failure if it is not.
// Must not be called on the store's own completion thread (it would wait for itself).
inline StorageStatus SettleAppended(Store& store) {
  std::promise<StorageStatus> settled;
  store.WhenDurable(store.Append({}),
                    [&settled](StorageStatus status) { settled.set_value(std::move(status)); });
  return settled.get_future().get();
}

}  // namespace wharf::storage
