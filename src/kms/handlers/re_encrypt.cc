// ReEncrypt: decrypts under the blob's key (kms:ReEncryptFrom) and encrypts under
// DestinationKeyId (kms:ReEncryptTo) without the plaintext leaving the server.

#include "kms/handlers/common.h"
#include "kms/handlers/handlers.h"
#include "kms/validation.h"

namespace wharf::kms {

R<wire::ReEncryptOutput> ReEncrypt(KeyService& s, const Ctx& ctx, wire::ReEncryptInput& in) {
  if (auto st = RequireBlobLength("ciphertextBlob", in.ciphertext_blob, 1, 6144); !st.ok()) {
    return std::move(st).error();
  }
  for (const auto& [field, algorithm] :
       {std::pair{"sourceEncryptionAlgorithm", &in.source_encryption_algorithm},
        std::pair{"destinationEncryptionAlgorithm", &in.destination_encryption_algorithm}}) {
    if (auto st = CheckEncryptionAlgorithm(field, *algorithm); !st.ok()) {
      return std::move(st).error();
    }
  }
  if (auto st = CheckLength("sourceKeyId", in.source_key_id, 1, 2048); !st.ok()) {
    return std::move(st).error();
  }
  const EncryptionContext source_context = ContextOf(in.source_encryption_context);
  const EncryptionContext destination_context = ContextOf(in.destination_encryption_context);
  auto source = s.store().KeyOfBlob(*in.ciphertext_blob);
  if (!source.ok()) return std::move(source).error();
  if (in.source_key_id) {
    auto named =
        s.KeyFor(ctx, in.source_key_id, "kms:ReEncryptFrom", &source_context, "sourceKeyId");
    if (!named.ok()) return std::move(named).error();
    if (named->key_id != source->key_id) return api::Error(api::ErrorCode::kIncorrectKey);
  } else if (auto st = s.Authorize(ctx, "kms:ReEncryptFrom", *source, &source_context); !st.ok()) {
    return std::move(st).error();
  }
  auto destination = s.KeyFor(ctx, in.destination_key_id, "kms:ReEncryptTo", &destination_context,
                              "destinationKeyId");
  if (!destination.ok()) return std::move(destination).error();
  auto opened = s.store().Decrypt(source->key_id, *in.ciphertext_blob, source_context);
  if (!opened.ok()) return std::move(opened).error();
  auto blob = s.store().Encrypt(destination->key_id, opened->plaintext.value, destination_context);
  if (!blob.ok()) return std::move(blob).error();
  wire::ReEncryptOutput out;
  out.ciphertext_blob = std::move(blob).value();
  out.source_key_id = source->arn;
  out.key_id = destination->arn;
  out.source_encryption_algorithm = std::string(kSymmetricDefault);
  out.destination_encryption_algorithm = std::string(kSymmetricDefault);
  return out;
}

}  // namespace wharf::kms
