#include "storage/value_sealer.h"

#include <mutex>

namespace wharf::storage {
namespace {

constexpr std::string_view kKeyCheckData = "wharf storage key check v1";
constexpr std::string_view kDataKeyData = "wharf storage data key v1";

std::string DataKeyAssociatedData(uint32_t id) {
  std::string out(kDataKeyData);
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((id >> (8 * i)) & 0xff));
  return out;
}

// The Sealer key id a sealed value names (bytes 1..5, big-endian).
std::optional<uint32_t> KeyIdOf(std::string_view sealed) {
  if (sealed.size() < Sealer::kOverhead) return std::nullopt;
  uint32_t id = 0;
  for (size_t i = 1; i <= Sealer::kKeyIdSize; ++i) id = (id << 8) | static_cast<uint8_t>(sealed[i]);
  return id;
}

void SetAssociatedData(std::string& out, Family family, std::string_view key) {
  out.clear();
  out.push_back(static_cast<char>(family));
  out.append(key);
}

}  // namespace

ValueSealer::ValueSealer(const Sealer& storage_key, uint64_t seals_per_data_key)
    : storage_key_(storage_key),
      dedup_key_(storage_key.Derive("storage dedup keys v1")),
      seals_per_data_key_(seals_per_data_key == 0 ? 1 : seals_per_data_key) {}

std::string ValueSealer::MakeKeyCheck(const Sealer& storage_key) {
  return storage_key.Seal("", kKeyCheckData);
}

std::vector<ValueSealer::DataKeyRecord> ValueSealer::RewrapDataKeys(
    const Sealer& storage_key) const {
  std::vector<DataKeyRecord> out;
  std::shared_lock lock(mu_);
  for (const auto& [id, key] : data_keys_) {
    out.push_back(DataKeyRecord{id, storage_key.Wrap(key, DataKeyAssociatedData(id))});
  }
  return out;
}

Status<SealError> ValueSealer::VerifyKeyCheck(std::string_view check) const {
  std::string empty;
  return storage_key_.OpenTo(check, kKeyCheckData, empty);
}

Status<SealError> ValueSealer::AddDataKey(uint32_t id, std::string_view wrapped) {
  Result<Sealer, SealError> key = storage_key_.Unwrap(wrapped, DataKeyAssociatedData(id));
  if (!key.ok()) return key.error();
  // The id is the key's own key id: anything else is a damaged record.
  if (key->key_id() != id) return SealError::kAuthenticationFailed;
  std::unique_lock lock(mu_);
  data_keys_.emplace(id, std::move(key).value());
  return {};
}

ValueSealer::DataKeyRecord ValueSealer::StartDataKey() {
  for (;;) {
    Sealer key = Sealer::Random();
    const uint32_t id = key.key_id();
    std::unique_lock lock(mu_);
    // Ids are 32 bits of a hash: on the rare clash with an earlier key, draw again.
    if (data_keys_.contains(id)) continue;
    DataKeyRecord record{id, storage_key_.Wrap(key, DataKeyAssociatedData(id))};
    current_ = &data_keys_.emplace(id, std::move(key)).first->second;
    seals_ = 0;
    return record;
  }
}

std::optional<ValueSealer::DataKeyRecord> ValueSealer::Seal(Family family, std::string_view key,
                                                            std::string_view plaintext,
                                                            std::string& out) {
  std::optional<DataKeyRecord> started;
  if (current_ == nullptr || seals_ >= seals_per_data_key_) started = StartDataKey();
  Sealer::Nonce nonce{};
  for (int i = 0; i < 8; ++i) nonce[4 + i] = static_cast<uint8_t>(seals_ >> (56 - 8 * i));
  ++seals_;
  SetAssociatedData(associated_data_, family, key);
  current_->SealTo(plaintext, associated_data_, nonce, out);
  return started;
}

Status<SealError> ValueSealer::Open(Family family, std::string_view key, std::string_view sealed,
                                    std::string& out) const {
  const std::optional<uint32_t> id = KeyIdOf(sealed);
  if (!id) return SealError::kTruncated;
  const Sealer* data_key = nullptr;
  {
    std::shared_lock lock(mu_);
    auto it = data_keys_.find(*id);
    if (it == data_keys_.end()) return SealError::kWrongKey;
    data_key = &it->second;  // stays valid: keys are never erased
  }
  thread_local std::string associated_data;
  SetAssociatedData(associated_data, family, key);
  return data_key->OpenTo(sealed, associated_data, out);
}

std::string ValueSealer::DedupDigest(uint64_t queue_id, std::string_view dedup_key) const {
  thread_local std::string input;
  input.clear();
  for (int i = 7; i >= 0; --i) input.push_back(static_cast<char>((queue_id >> (8 * i)) & 0xff));
  input.append(dedup_key);
  const std::array<uint8_t, 32> digest = dedup_key_.KeyedDigest(input);
  return std::string(reinterpret_cast<const char*>(digest.data()), kDedupDigestSize);
}

size_t ValueSealer::data_keys() const {
  std::shared_lock lock(mu_);
  return data_keys_.size();
}

}  // namespace wharf::storage
