#include "kms/register.h"

#include "kms/handlers/handlers.h"

namespace wharf::kms {

void RegisterHandlers(api::HandlerTable<KeyService>& table) {
  using api::Action;
  table.Add<&CreateKey>(Action::kCreateKey);
  table.Add<&DescribeKey>(Action::kDescribeKey);
  table.Add<&ListKeys>(Action::kListKeys);
  table.Add<&UpdateKeyDescription>(Action::kUpdateKeyDescription);
  table.Add<&CreateAlias>(Action::kCreateAlias);
  table.Add<&UpdateAlias>(Action::kUpdateAlias);
  table.Add<&DeleteAlias>(Action::kDeleteAlias);
  table.Add<&ListAliases>(Action::kListAliases);
  table.Add<&Encrypt>(Action::kEncrypt);
  table.Add<&Decrypt>(Action::kDecrypt);
  table.Add<&ReEncrypt>(Action::kReEncrypt);
  table.Add<&GenerateDataKey>(Action::kGenerateDataKey);
  table.Add<&GenerateDataKeyWithoutPlaintext>(Action::kGenerateDataKeyWithoutPlaintext);
  table.Add<&GenerateRandom>(Action::kGenerateRandom);
  table.Add<&EnableKey>(Action::kEnableKey);
  table.Add<&DisableKey>(Action::kDisableKey);
  table.Add<&ScheduleKeyDeletion>(Action::kScheduleKeyDeletion);
  table.Add<&CancelKeyDeletion>(Action::kCancelKeyDeletion);
  table.Add<&GetKeyPolicy>(Action::kGetKeyPolicy);
  table.Add<&PutKeyPolicy>(Action::kPutKeyPolicy);
  table.Add<&EnableKeyRotation>(Action::kEnableKeyRotation);
  table.Add<&DisableKeyRotation>(Action::kDisableKeyRotation);
  table.Add<&GetKeyRotationStatus>(Action::kGetKeyRotationStatus);
  table.Add<&RotateKeyOnDemand>(Action::kRotateKeyOnDemand);
  table.Add<&TagResource>(Action::kTagResource);
  table.Add<&UntagResource>(Action::kUntagResource);
  table.Add<&ListResourceTags>(Action::kListResourceTags);
}

}  // namespace wharf::kms
