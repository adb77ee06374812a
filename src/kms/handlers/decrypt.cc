// Decrypt (security.md §4.4, §4.6): the blob names its key, so KeyId is optional; when given it
// must name that key (IncorrectKeyException). Any blob that does not open — corrupt, another
// context, another key's — is InvalidCiphertextException with an empty message.

#include "kms/handlers/common.h"
#include "kms/handlers/handlers.h"
#include "kms/identifiers.h"
#include "kms/validation.h"

namespace wharf::kms {

R<wire::DecryptOutput> Decrypt(KeyService& s, const Ctx& ctx, wire::DecryptInput& in) {
  if (auto st = RequireBlobLength("ciphertextBlob", in.ciphertext_blob, 1, 6144); !st.ok()) {
    return std::move(st).error();
  }
  if (auto st = CheckEncryptionAlgorithm("encryptionAlgorithm", in.encryption_algorithm);
      !st.ok()) {
    return std::move(st).error();
  }
  if (auto st = CheckLength("keyId", in.key_id, 1, 2048); !st.ok()) return std::move(st).error();
  const EncryptionContext context = ContextOf(in.encryption_context);
  auto key = s.store().KeyOfBlob(*in.ciphertext_blob);
  if (!key.ok()) return std::move(key).error();
  if (in.key_id) {
    auto named = s.KeyFor(ctx, in.key_id, "kms:Decrypt", &context);
    if (!named.ok()) return std::move(named).error();
    if (named->key_id != key->key_id) return api::Error(api::ErrorCode::kIncorrectKey);
  } else if (auto st = s.Authorize(ctx, "kms:Decrypt", *key, &context); !st.ok()) {
    return std::move(st).error();
  }
  auto opened = s.store().Decrypt(key->key_id, *in.ciphertext_blob, context);
  if (!opened.ok()) return std::move(opened).error();
  wire::DecryptOutput out;
  out.key_id = opened->key_arn;
  out.plaintext = std::move(opened->plaintext.value);
  out.encryption_algorithm = std::string(kSymmetricDefault);
  return out;
}

}  // namespace wharf::kms
