#pragma once

// Shared pieces of the PgObjectStore tests (pg_object_store_test.cc, pg_owned_object_test.cc):
// object records, an append waited on until durable, and a prefix scan into a vector.

#include <gtest/gtest.h>

#include <cstdint>
#include <future>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/postgres/object_store.h"
#include "storage/store.h"

namespace wharf::storage::pg::testing {

using Objects = PgObjectStore::Objects;

inline Record Put(std::string key, std::string value) {
  Record record{RecordType::kObjectPut};
  record.key = std::move(key);
  record.payload = std::move(value);
  return record;
}

inline Record Delete(std::string key) {
  Record record{RecordType::kObjectDelete};
  record.key = std::move(key);
  return record;
}

inline StorageStatus WaitDurable(Store& store, uint64_t ticket) {
  std::promise<StorageStatus> settled;
  std::future<StorageStatus> outcome = settled.get_future();
  store.WhenDurable(ticket, [&settled](StorageStatus status) { settled.set_value(status); });
  return outcome.get();
}

inline StorageStatus Commit(Store& store, std::vector<Record> records) {
  return WaitDurable(store, store.Append(std::move(records)));
}

// Every object whose key starts with `prefix`, in the store's order; a failed scan fails the test.
inline Objects Scan(Store& store, std::string_view prefix = "") {
  Objects seen;
  StorageStatus scanned = store.ScanObjects(prefix, [&](std::string_view key, std::string_view v) {
    seen.emplace_back(std::string(key), std::string(v));
  });
  EXPECT_TRUE(scanned.ok()) << (scanned.ok() ? "" : scanned.error().detail);
  return seen;
}

}  // namespace wharf::storage::pg::testing
