#include "server/objects_watcher.h"

#include <utility>

#include "common/log.h"

namespace wharf::server {

ObjectsWatcher::ObjectsWatcher(ReadSignature read_signature)
    : read_signature_(std::move(read_signature)) {}

Status<std::string> ObjectsWatcher::Prime() {
  auto signature = read_signature_();
  if (!signature.ok()) return std::move(signature).error();
  primed_ = signature.value();
  return {};
}

void ObjectsWatcher::Watch(Owner owner) { owners_.push_back(Watched{std::move(owner), primed_}); }

ObjectsWatcher::Check ObjectsWatcher::CheckOnce() {
  Check check;
  auto signature = read_signature_();
  if (!signature.ok()) {
    // The database is unreachable: /health reports it; owners keep serving what they have.
    log::Line(log::Level::kWarn, "shared_objects")
        .Str("detail", "cannot read the signature of the shared objects: " + signature.error());
    return check;
  }
  check.signature_read = true;
  for (Watched& watched : owners_) {
    if (watched.loaded == signature.value()) continue;
    if (Status<std::string> reloaded = watched.owner.reload(); !reloaded.ok()) {
      ++check.failed;
      log::Line(log::Level::kWarn, "shared_objects")
          .Str("owner", watched.owner.name)
          .Str("detail", "reload failed, kept the current state: " + reloaded.error());
      continue;
    }
    watched.loaded = signature.value();
    ++check.reloaded;
  }
  return check;
}

void ObjectsWatcher::Start(std::chrono::milliseconds interval) {
  thread_.Start("wharf-objects", interval, [this] { CheckOnce(); });
}

}  // namespace wharf::server
