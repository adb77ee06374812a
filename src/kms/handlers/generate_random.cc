// GenerateRandom: 1–1024 random bytes from OpenSSL's CSPRNG.

#include "kms/handlers/handlers.h"
#include "kms/validation.h"

namespace wharf::kms {

R<wire::GenerateRandomOutput> GenerateRandom(KeyService& s, const Ctx& ctx,
                                             wire::GenerateRandomInput& in) {
  if (auto st = CheckRange("numberOfBytes", in.number_of_bytes, 1, 1024); !st.ok()) {
    return std::move(st).error();
  }
  if (!in.number_of_bytes) {
    return ConstraintViolation("numberOfBytes", "null", "Member must not be null");
  }
  if (in.custom_key_store_id) {
    return api::Error(api::ErrorCode::kKmsUnsupportedOperation,
                      "Custom key stores are not supported by this server.");
  }
  if (auto st = s.AuthorizeWithoutKey(ctx, "kms:GenerateRandom", "*"); !st.ok()) {
    return std::move(st).error();
  }
  return wire::GenerateRandomOutput{RandomPrivateBytes(static_cast<size_t>(*in.number_of_bytes))};
}

}  // namespace wharf::kms
