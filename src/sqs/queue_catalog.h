#pragma once

// QueueCatalog: all queues, by account and name, as everything outside the engine uses them —
// the SQS handlers, SNS delivery, move tasks, the provisioner and /metrics. With QueueBackend it
// is the seam of ADR 0002 (docs/adr/0002-authoritative-backend-seam.md): the embedded engine's
// `QueueRegistry` implements it today, a catalog kept in a shared database next. Putting back
// stored queues at startup (QueueRegistry::Restore) is the embedded engine's recovery and stays
// on the concrete class.
//
// Implementations are safe to call from any thread.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/error.h"
#include "sqs/engine/queue_config.h"
#include "sqs/queue_backend.h"

namespace wharf::sqs {

class QueueCatalog {
 public:
  virtual ~QueueCatalog() = default;
  QueueCatalog(const QueueCatalog&) = delete;
  QueueCatalog& operator=(const QueueCatalog&) = delete;

  // Null when absent.
  virtual std::shared_ptr<QueueBackend> Find(std::string_view account,
                                             std::string_view name) const = 0;
  // Find for a request: null when absent, or the error that kept the catalog from knowing (a
  // database it could not reach: 503, so clients retry, never QueueDoesNotExist). The default
  // is Find, for catalogs that always know.
  virtual api::ApiResult<std::shared_ptr<QueueBackend>> Lookup(std::string_view account,
                                                               std::string_view name) const {
    return Find(account, name);
  }
  // "arn:aws:sqs:<region>:<account>:<name>"; null when malformed, of another region, or absent.
  virtual std::shared_ptr<QueueBackend> FindByArn(std::string_view arn) const = 0;

  struct Created {
    std::shared_ptr<QueueBackend> queue;
    bool is_new = false;
  };
  using CreateDone = std::function<void(api::ApiResult<Created>)>;
  // Creates the queue, or returns the existing one when every attribute in `given` matches its
  // current value (QueueNameExists otherwise; QueueDeletedRecently within the window after a
  // delete of the name). `done` answers once the queue is durable: the embedded engine's record
  // on disk, a committed row in a database. An existing queue is answered once it is durable too
  // (a concurrent CreateQueue may have just made it). The embedded engine makes a new queue
  // findable at once, before `done`; a database catalog may only after `done`.
  virtual void Create(const std::string& account, const std::string& name, QueueConfig config,
                      api::StringPairs tags, const api::StringPairs& given, CreateDone done) = 0;
  // Removes the queue (if it is still `queue`), blocks its name for a while, closes it and makes
  // the deletion durable; `done` answers then. A queue another call removed first is answered
  // ok: the deletion the caller asked for has happened.
  virtual void Remove(const std::shared_ptr<QueueBackend>& queue, Done done) = 0;

  // Queues of `account` whose names start with `prefix`, in name order, after `after` (a name).
  virtual std::vector<std::shared_ptr<QueueBackend>> List(std::string_view account,
                                                          std::string_view prefix,
                                                          std::string_view after,
                                                          size_t limit) const = 0;
  // Every queue (all accounts), for scans such as ListDeadLetterSourceQueues and /metrics.
  virtual std::vector<std::shared_ptr<QueueBackend>> All() const = 0;

  // The ARN a queue `account`/`name` has (or would have) in the region served.
  virtual std::string ArnOf(std::string_view account, std::string_view name) const = 0;

 protected:
  QueueCatalog() = default;
};

}  // namespace wharf::sqs
