// GenerateDataKeyWithoutPlaintext: GenerateDataKey without the plaintext in the answer.

#include "kms/handlers/common.h"
#include "kms/handlers/handlers.h"

namespace wharf::kms {

R<wire::GenerateDataKeyOutput> GenerateDataKeyWithoutPlaintext(KeyService& s, const Ctx& ctx,
                                                               wire::GenerateDataKeyInput& in) {
  return GenerateDataKeyFor(s, ctx, in, false);
}

}  // namespace wharf::kms
