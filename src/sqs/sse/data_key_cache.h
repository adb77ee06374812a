#pragma once

// The in-memory caches of plaintext data keys (security.md §4.2): SSE-KMS calls KMS once per
// reuse period per principal, not once per message.
//   - SendKeyCache: (queue ARN, KmsMasterKeyId as configured, producer identity) → the data key
//     a producer seals bodies with (step 3 of "Send").
//   - ReceiveKeyCache: (data key id, consumer identity) → the plaintext of a stored data key
//     (step 2 of "Receive").
// An entry serves while it is younger than the queue's KmsDataKeyReusePeriodSeconds *at lookup
// time*, measured on the cache's clock (in test mode the server's adjustable clock, so a test
// can let entries expire). A send entry also retires after kMaxSealsPerDataKey seals (random
// 96-bit nonces stay safe far beyond that; §4.6). Expired entries are dropped when met, and a
// shard that grows past its bound first drops what no reuse period can keep (older than 24 h),
// then its oldest entries. Plaintext keys are wiped when an entry or a copy goes away.
//
// Thread-safety: any thread. 16 shards, each a mutex over a hash map with heterogeneous lookup,
// so a hit takes one short lock and allocates nothing.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"
#include "kms/data_keys.h"
#include "sqs/engine/data_keys.h"
#include "sqs/sse/body_envelope.h"

namespace wharf::sqs {

// A plaintext data key that wipes itself.
struct SecretDataKey {
  kms::DataKeyBytes bytes{};
  SecretDataKey() = default;
  explicit SecretDataKey(const kms::DataKeyBytes& b) : bytes(b) {}
  SecretDataKey(const SecretDataKey&) = default;
  SecretDataKey& operator=(const SecretDataKey&) = default;
  ~SecretDataKey() { WipeKey(bytes); }
};

// What a producer seals with: the data key and its stored record.
struct SendDataKey {
  std::shared_ptr<const DataKeyRecord> record;
  SecretDataKey key;
};

inline constexpr uint64_t kMaxSealsPerDataKey = uint64_t{1} << 31;
// The longest reuse period (KmsDataKeyReusePeriodSeconds ≤ 86400): older entries never serve.
inline constexpr Duration kLongestReusePeriod = Seconds(86'400);

template <typename Key, typename Hash, typename Equal, typename Value>
class ExpiringCache {
 public:
  ExpiringCache(const Clock& clock, uint64_t max_uses, size_t max_per_shard)
      : clock_(clock), max_uses_(max_uses), max_per_shard_(max_per_shard) {}

  // A copy of the value under `key` (a Key or any view Hash and Equal accept) if it is younger
  // than `reuse` and may serve once more; counts this use.
  template <typename K>
  std::optional<Value> Find(const K& key, Duration reuse) {
    Shard& shard = ShardOf(Hash{}(key));
    const MonoTime now = clock_.Now();
    std::lock_guard lock(shard.mu);
    auto it = shard.map.find(key);
    if (it == shard.map.end()) return std::nullopt;
    Entry& entry = it->second;
    if (now - entry.created >= reuse || entry.uses >= max_uses_) {
      shard.map.erase(it);
      return std::nullopt;
    }
    ++entry.uses;
    return entry.value;
  }

  void Put(Key key, Value value) {
    Shard& shard = ShardOf(Hash{}(key));
    const MonoTime now = clock_.Now();
    std::lock_guard lock(shard.mu);
    if (shard.map.size() >= max_per_shard_) Trim(shard, now);
    shard.map.insert_or_assign(std::move(key), Entry{std::move(value), now, 1});
  }

  size_t size() const {
    size_t n = 0;
    for (const Shard& shard : shards_) {
      std::lock_guard lock(shard.mu);
      n += shard.map.size();
    }
    return n;
  }

 private:
  struct Entry {
    Value value;
    MonoTime created;
    uint64_t uses = 0;
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<Key, Entry, Hash, Equal> map;
  };

  Shard& ShardOf(size_t hash) { return shards_[(hash >> 7) % shards_.size()]; }

  // Requires shard.mu. Makes room for one entry.
  void Trim(Shard& shard, MonoTime now) {
    std::erase_if(shard.map, [&](const auto& item) {
      return now - item.second.created >= kLongestReusePeriod;
    });
    while (shard.map.size() >= max_per_shard_) {
      auto oldest = shard.map.begin();
      for (auto it = shard.map.begin(); it != shard.map.end(); ++it) {
        if (it->second.created < oldest->second.created) oldest = it;
      }
      shard.map.erase(oldest);
    }
  }

  const Clock& clock_;
  const uint64_t max_uses_;
  const size_t max_per_shard_;
  std::array<Shard, 16> shards_;
};

// --- keys ---------------------------------------------------------------------------------------

struct SendCacheKey {
  std::string queue_arn;
  std::string key_ref;  // KmsMasterKeyId as configured (an alias stays an alias)
  std::string principal;
};
struct SendCacheView {
  std::string_view queue_arn;
  std::string_view key_ref;
  std::string_view principal;
};
struct SendCacheHash {
  using is_transparent = void;
  size_t operator()(const SendCacheView& k) const;
  size_t operator()(const SendCacheKey& k) const {
    return (*this)(SendCacheView{k.queue_arn, k.key_ref, k.principal});
  }
};
struct SendCacheEqual {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return std::string_view(a.queue_arn) == std::string_view(b.queue_arn) &&
           std::string_view(a.key_ref) == std::string_view(b.key_ref) &&
           std::string_view(a.principal) == std::string_view(b.principal);
  }
};

struct ReceiveCacheKey {
  uint64_t data_key_id = 0;
  std::string principal;
};
struct ReceiveCacheView {
  uint64_t data_key_id = 0;
  std::string_view principal;
};
struct ReceiveCacheHash {
  using is_transparent = void;
  size_t operator()(const ReceiveCacheView& k) const;
  size_t operator()(const ReceiveCacheKey& k) const {
    return (*this)(ReceiveCacheView{k.data_key_id, k.principal});
  }
};
struct ReceiveCacheEqual {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return a.data_key_id == b.data_key_id &&
           std::string_view(a.principal) == std::string_view(b.principal);
  }
};

class SendKeyCache
    : public ExpiringCache<SendCacheKey, SendCacheHash, SendCacheEqual, SendDataKey> {
 public:
  explicit SendKeyCache(const Clock& clock, size_t max_per_shard = 4096)
      : ExpiringCache(clock, kMaxSealsPerDataKey, max_per_shard) {}
};

class ReceiveKeyCache
    : public ExpiringCache<ReceiveCacheKey, ReceiveCacheHash, ReceiveCacheEqual, SecretDataKey> {
 public:
  explicit ReceiveKeyCache(const Clock& clock, size_t max_per_shard = 4096)
      : ExpiringCache(clock, UINT64_MAX, max_per_shard) {}
};

}  // namespace wharf::sqs
