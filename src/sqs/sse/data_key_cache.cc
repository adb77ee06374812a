#include "sqs/sse/data_key_cache.h"

namespace wharf::sqs {
namespace {

size_t Combine(size_t seed, size_t value) {
  return seed ^ (value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

}  // namespace

size_t SendCacheHash::operator()(const SendCacheView& k) const {
  const std::hash<std::string_view> h;
  return Combine(Combine(h(k.queue_arn), h(k.key_ref)), h(k.principal));
}

size_t ReceiveCacheHash::operator()(const ReceiveCacheView& k) const {
  return Combine(std::hash<uint64_t>{}(k.data_key_id), std::hash<std::string_view>{}(k.principal));
}

}  // namespace wharf::sqs
