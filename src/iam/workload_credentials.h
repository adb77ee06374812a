#pragma once

// Credentials for workloads without access keys (issue 7, "roles for workloads"): an endpoint
// compatible with the AWS SDKs' container credential provider, as ECS tasks use it. A worker
// runs with
//   AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:9324/_wharf/credentials
//   AWS_CONTAINER_AUTHORIZATION_TOKEN=<its token>
// and its SDK fetches (and refreshes before expiry) temporary credentials of the role the
// token is bound to in the configuration. The binding is the authorization: a missing or wrong
// token gets nothing. As on ECS, the role's trust policy must let the service principal
// ecs-tasks.amazonaws.com assume it, so a role is opened to workloads deliberately.
// Thread-safety: Serve may be called from any thread.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/authorizer.h"
#include "common/clock.h"
#include "iam/identity_store.h"
#include "iam/session_store.h"

namespace wharf::iam {

struct WorkloadBinding {
  std::string token;     // what the worker sends as Authorization; never logged
  std::string role_arn;  // arn:aws:iam::<account>:role/<path><name>
  int64_t duration_seconds = 3600;
  std::string session_name = "wharf-workload";
};

inline constexpr std::string_view kWorkloadCredentialsPath = "/_wharf/credentials";
inline constexpr std::string_view kWorkloadServicePrincipal = "ecs-tasks.amazonaws.com";

class WorkloadCredentials {
 public:
  WorkloadCredentials(const IdentityStore& identities, SessionStore& sessions, const Clock& clock,
                      std::vector<WorkloadBinding> bindings)
      : identities_(identities),
        sessions_(sessions),
        clock_(clock),
        bindings_(std::move(bindings)) {}

  struct Answer {
    uint16_t status = 200;
    std::string body;  // JSON
  };
  // The answer to GET kWorkloadCredentialsPath with this Authorization header value.
  Answer Serve(std::string_view authorization) const;

 private:
  const IdentityStore& identities_;
  SessionStore& sessions_;
  const Clock& clock_;
  const std::vector<WorkloadBinding> bindings_;
};

}  // namespace wharf::iam
