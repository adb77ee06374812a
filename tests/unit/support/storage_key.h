#pragma once

// The storage key unit tests open RocksStores with: the embedded store seals every value and
// refuses to open without a key. A fixed key, so a store reopened by a test reads back.

#include <string>
#include <utility>

#include "common/sealing.h"

namespace wharf::testing {

inline Sealer TestStorageKey(char fill = 's') {
  return std::move(Sealer::FromKey(std::string(Sealer::kKeySize, fill))).value();
}

}  // namespace wharf::testing
