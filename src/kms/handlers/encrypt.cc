// Encrypt (security.md §4.4, §4.6): 1–4096 bytes under the key's current material, bound to the
// encryption context; KeyId in the answer is the key ARN.

#include "kms/handlers/common.h"
#include "kms/handlers/handlers.h"
#include "kms/validation.h"

namespace wharf::kms {

R<wire::EncryptOutput> Encrypt(KeyService& s, const Ctx& ctx, wire::EncryptInput& in) {
  if (auto st = RequireBlobLength("plaintext", in.plaintext, 1, 4096); !st.ok()) {
    return std::move(st).error();
  }
  if (auto st = CheckEncryptionAlgorithm("encryptionAlgorithm", in.encryption_algorithm);
      !st.ok()) {
    return std::move(st).error();
  }
  const EncryptionContext context = ContextOf(in.encryption_context);
  auto key = s.KeyFor(ctx, in.key_id, {}, &context);
  if (!key.ok()) return std::move(key).error();
  auto blob = s.store().Encrypt(key->key_id, *in.plaintext, context);
  Wipe(in.plaintext->data(), in.plaintext->size());
  if (!blob.ok()) return std::move(blob).error();
  wire::EncryptOutput out;
  out.ciphertext_blob = std::move(blob).value();
  out.key_id = key->arn;
  out.encryption_algorithm = std::string(kSymmetricDefault);
  return out;
}

}  // namespace wharf::kms
