#pragma once

// One function per KMS action (security.md §4.4), each in its own file with the same shape:
// validate the typed input, resolve and authorize the key through the KeyService, ask the
// KeyStore, build the typed output. Bound in register.cc. Answers that follow a change are held
// by the server until the change is durable (the KMS answer gate).

#include "api/kms/actions.h"
#include "api/request_context.h"
#include "kms/service.h"

namespace wharf::kms {

namespace wire = api::kms;
using Ctx = api::RequestContext;
template <typename T>
using R = api::ApiResult<T>;

// Keys
R<wire::KeyMetadataOutput> CreateKey(KeyService& s, const Ctx& ctx, wire::CreateKeyInput& in);
R<wire::KeyMetadataOutput> DescribeKey(KeyService& s, const Ctx& ctx, wire::KeyIdInput& in);
R<wire::ListKeysOutput> ListKeys(KeyService& s, const Ctx& ctx, wire::PagedInput& in);
R<wire::Empty> UpdateKeyDescription(KeyService& s, const Ctx& ctx,
                                    wire::UpdateKeyDescriptionInput& in);
R<wire::Empty> EnableKey(KeyService& s, const Ctx& ctx, wire::KeyIdInput& in);
R<wire::Empty> DisableKey(KeyService& s, const Ctx& ctx, wire::KeyIdInput& in);
R<wire::ScheduleKeyDeletionOutput> ScheduleKeyDeletion(KeyService& s, const Ctx& ctx,
                                                       wire::ScheduleKeyDeletionInput& in);
R<wire::KeyIdOutput> CancelKeyDeletion(KeyService& s, const Ctx& ctx, wire::KeyIdInput& in);
// Aliases
R<wire::Empty> CreateAlias(KeyService& s, const Ctx& ctx, wire::AliasInput& in);
R<wire::Empty> UpdateAlias(KeyService& s, const Ctx& ctx, wire::AliasInput& in);
R<wire::Empty> DeleteAlias(KeyService& s, const Ctx& ctx, wire::AliasInput& in);
R<wire::ListAliasesOutput> ListAliases(KeyService& s, const Ctx& ctx, wire::ListAliasesInput& in);
// Cryptographic operations
R<wire::EncryptOutput> Encrypt(KeyService& s, const Ctx& ctx, wire::EncryptInput& in);
R<wire::DecryptOutput> Decrypt(KeyService& s, const Ctx& ctx, wire::DecryptInput& in);
R<wire::ReEncryptOutput> ReEncrypt(KeyService& s, const Ctx& ctx, wire::ReEncryptInput& in);
R<wire::GenerateDataKeyOutput> GenerateDataKey(KeyService& s, const Ctx& ctx,
                                               wire::GenerateDataKeyInput& in);
R<wire::GenerateDataKeyOutput> GenerateDataKeyWithoutPlaintext(KeyService& s, const Ctx& ctx,
                                                               wire::GenerateDataKeyInput& in);
R<wire::GenerateRandomOutput> GenerateRandom(KeyService& s, const Ctx& ctx,
                                             wire::GenerateRandomInput& in);
// Key policies
R<wire::GetKeyPolicyOutput> GetKeyPolicy(KeyService& s, const Ctx& ctx,
                                         wire::GetKeyPolicyInput& in);
R<wire::Empty> PutKeyPolicy(KeyService& s, const Ctx& ctx, wire::PutKeyPolicyInput& in);
// Rotation
R<wire::Empty> EnableKeyRotation(KeyService& s, const Ctx& ctx, wire::EnableKeyRotationInput& in);
R<wire::Empty> DisableKeyRotation(KeyService& s, const Ctx& ctx, wire::KeyIdInput& in);
R<wire::GetKeyRotationStatusOutput> GetKeyRotationStatus(KeyService& s, const Ctx& ctx,
                                                         wire::KeyIdInput& in);
R<wire::KeyIdOutput> RotateKeyOnDemand(KeyService& s, const Ctx& ctx, wire::KeyIdInput& in);
// Tags
R<wire::Empty> TagResource(KeyService& s, const Ctx& ctx, wire::TagResourceInput& in);
R<wire::Empty> UntagResource(KeyService& s, const Ctx& ctx, wire::UntagResourceInput& in);
R<wire::ListResourceTagsOutput> ListResourceTags(KeyService& s, const Ctx& ctx,
                                                 wire::ListResourceTagsInput& in);

}  // namespace wharf::kms
