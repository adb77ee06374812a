#pragma once

// Re-encrypting a message that changes queue (security.md §4.2, "internal moves"): a
// dead-letter move or a message move task takes a message whose body is sealed under the source
// queue's data key (or a plaintext body going into an SSE-KMS queue) and must store it under the
// destination's settings. The engine only decides *when* (Queue holds the message meanwhile,
// see queue_relocation.cc); sqs/sse implements *how*, with the server's own authority.
// Thread-safety: Recrypt may be called from any thread, without engine locks held.

#include <functional>
#include <memory>

#include "api/error.h"
#include "sqs/engine/data_keys.h"
#include "sqs/engine/message.h"

namespace wharf::sqs {

class Queue;

struct RecryptJob {
  std::shared_ptr<const MessageContent> content;  // with its body in memory
  std::shared_ptr<const DataKeyRecord> data_key;  // the source's, when the body is sealed
  std::shared_ptr<Queue> source;
  std::shared_ptr<Queue> destination;
};

struct Recrypted {
  std::shared_ptr<const MessageContent> content;  // as the destination stores it
  std::shared_ptr<const DataKeyRecord> data_key;  // the destination's, when sealed there
};

using RecryptDone = std::function<void(api::ApiResult<Recrypted>)>;

class Recrypter {
 public:
  virtual ~Recrypter() = default;
  // Calls `done` (possibly before returning) with the message as the destination must store
  // it, or with the Kms* error that prevents it (the message then stays where it is).
  virtual void Recrypt(RecryptJob job, RecryptDone done) = 0;
};

}  // namespace wharf::sqs
