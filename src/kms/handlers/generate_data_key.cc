// GenerateDataKey (security.md §4.4): KeySpec AES_256/AES_128 or NumberOfBytes 1–1024; the
// plaintext and the blob of a fresh random data key.

#include "kms/handlers/common.h"
#include "kms/handlers/handlers.h"

namespace wharf::kms {

R<wire::GenerateDataKeyOutput> GenerateDataKey(KeyService& s, const Ctx& ctx,
                                               wire::GenerateDataKeyInput& in) {
  return GenerateDataKeyFor(s, ctx, in, true);
}

}  // namespace wharf::kms
