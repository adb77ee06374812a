#pragma once

// Keeps this node's IAM identities, KMS keys and SNS topics in step with the other nodes of a
// --storage postgres deployment (ADR 0002 decision 7). Their owners serve from memory and read
// their keyed objects once at start-up; the objects themselves are shared in PostgreSQL
// (storage::pg::PgObjectStore). Every interval, and at once when a node NOTIFYs wharf_objects
// after a write (CheckSoon, from the node's LISTEN connection), the watcher reads a cheap
// signature of the object table (it changes with every put and delete, by any node) and, when it
// differs from the one an owner last loaded, has that owner reload everything it keeps.
//
// A reload reads a state at least as new as the signature read before it, so a change that
// commits during a reload is either in it or changes the next signature: nothing is missed.
// A failed reload (database unreachable, an unreadable record) keeps the owner's state and is
// retried at the next check. This node's own writes change the signature too and cause one
// reload, which finds what the owner already has.
//
// Threading: CheckOnce from one thread at a time (the periodic thread once started); the
// owners' reload functions must be safe to call while requests are served.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/periodic_thread.h"
#include "common/result.h"

namespace wharf::server {

class ObjectsWatcher {
 public:
  // Changes whenever any object changes: the number of objects and the sum of their versions
  // (versions only grow, so a put raises the sum and a delete lowers the count).
  struct Signature {
    int64_t count = 0;
    int64_t version_sum = 0;
    bool operator==(const Signature&) const = default;
  };
  // An error is a sentence.
  using ReadSignature = std::function<Result<Signature, std::string>()>;
  struct Owner {
    std::string name;                             // for the log: "iam", "kms", "sns"
    std::function<Status<std::string>()> reload;  // replaces the owner's state from the store
  };
  struct Check {
    bool signature_read = false;
    int reloaded = 0;  // owners reloaded
    int failed = 0;    // owners whose reload failed (retried next time)
  };

  explicit ObjectsWatcher(ReadSignature read_signature);
  ObjectsWatcher(const ObjectsWatcher&) = delete;
  ObjectsWatcher& operator=(const ObjectsWatcher&) = delete;
  ~ObjectsWatcher() { thread_.Stop(); }

  // Records the signature the owners' start-up loads will be at least as new as: call it BEFORE
  // they load, so that a change committed in between makes the first check reload them.
  Status<std::string> Prime();
  // The same with a signature read earlier (by ReadSignature, before the owners loaded).
  void Prime(Signature signature) { primed_ = signature; }
  // Watches one more owner, loaded at start-up after Prime (without Prime: reloaded at the first
  // check). Before Start only.
  void Watch(Owner owner);
  // One check: read the signature and reload the owners that have not loaded it.
  Check CheckOnce();
  // A check every `interval` on a thread of its own until destruction.
  void Start(std::chrono::milliseconds interval);
  // A check as soon as the thread is free (another node NOTIFYed a change on wharf_objects);
  // any thread, never blocks. The interval stays the guarantee: a lost notification only delays.
  void CheckSoon() { thread_.RunSoon(); }

 private:
  struct Watched {
    Owner owner;
    std::optional<Signature> loaded;  // the signature its state is at least as new as
  };

  const ReadSignature read_signature_;
  std::optional<Signature> primed_;
  std::vector<Watched> owners_;
  PeriodicThread thread_;
};

}  // namespace wharf::server
