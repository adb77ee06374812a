// DescribeKey (security.md §4.4): key id, key ARN, alias name or alias ARN. Describing
// alias/aws/sqs before SQS used it creates the AWS-managed key, as AWS does.

#include "kms/handlers/common.h"
#include "kms/handlers/handlers.h"

namespace wharf::kms {

R<wire::KeyMetadataOutput> DescribeKey(KeyService& s, const Ctx& ctx, wire::KeyIdInput& in) {
  auto key = s.KeyFor(ctx, in.key_id);
  if (!key.ok()) return std::move(key).error();
  return wire::KeyMetadataOutput{MetadataOf(*key)};
}

}  // namespace wharf::kms
