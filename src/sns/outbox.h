#pragma once

// The durable outbox: a published message is written here (a keyed object in the store's group
// commit) before Publish is acknowledged, and removed only once every delivery it owes was
// durably accepted by its queue or dead-lettered. After a crash the publications still here are
// delivered again (at least once: a delivery that was accepted just before the crash may be
// repeated; FIFO queues drop the repeat by its deduplication id).
//
// It also numbers publications: one sequence over the whole server, in publish order (outbox
// keys sort by it, so recovery redelivers in publish order), used as FIFO topics'
// SequenceNumber. Numbers are reserved in blocks (an `sns/sequence` object appended before the
// first publication that uses the block), so they keep increasing across restarts; or, with a
// first sequence given, from that number on (see the constructor).
//
// FIFO topics drop a repeated deduplication id within 5 minutes (scope: topic, or message group
// with FifoThroughputScope=MessageGroup): the repeat is answered with the original's id and
// sequence number and not delivered again. The window lives in memory; after a restart the
// queues' own deduplication (same id, forwarded) still drops repeats.
//
// Thread-safety: every method may be called from any thread.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "sns/records.h"
#include "sqs/engine/dedup_window.h"
#include "storage/store.h"

namespace wharf::sns {

class Outbox {
 public:
  // Sequence numbers reserved per `sns/sequence` write.
  static constexpr uint64_t kReserveBlock = 1 << 20;

  // `first_sequence` set: numbers publications from there on and writes no `sns/sequence`
  // record. For a store of this run's own whose owner draws a new, larger epoch at every start
  // (--storage postgres: PgObjectStore::NewEpoch), so numbers grow across restarts and never
  // meet another node's.
  Outbox(storage::Store& store, const Clock& clock,
         std::optional<uint64_t> first_sequence = std::nullopt)
      : store_(store), clock_(clock), first_sequence_(first_sequence) {}

  // The publications left by the previous run, in publish order, and the numbering state.
  // Start-up only, before Add.
  Result<std::vector<Publication>, std::string> Load();

  struct Added {
    uint64_t sequence = 0;
    std::string message_id;
    bool duplicate = false;  // FIFO repeat: not written, not to be delivered
  };
  // Numbers the publications (consecutively, in order), drops FIFO repeats (within each
  // publication's topic and, with `dedup_by_group`, its message group) and appends the records of
  // the others as one group. Returns the ticket to wait on before acknowledging; `added` says,
  // per publication, its number and id.
  uint64_t Add(std::vector<Publication>& publications, std::vector<Added>& added);
  // Every delivery of publication `sequence` is done: forget it.
  void Remove(uint64_t sequence);

 private:
  storage::Store& store_;
  const Clock& clock_;
  const std::optional<uint64_t> first_sequence_;
  std::mutex mu_;
  uint64_t next_ = 1;
  uint64_t reserved_ = 0;   // numbers up to here may have been handed out
  sqs::DedupWindow dedup_;  // FIFO topics: "<topic ARN>\n<dedup key>"
};

}  // namespace wharf::sns
