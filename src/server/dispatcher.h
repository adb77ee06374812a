#pragma once

// From an HTTP request to a handler and back: health checks, routing through the protocol
// layer, caller identification, the request id, and the response headers every AWS response
// carries. Runs on I/O threads; never blocks (handlers answer later when they must wait).

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "api/handler_table.h"
#include "auth/credentials.h"
#include "auth/sigv4_verifier.h"
#include "common/clock.h"
#include "common/offset_clock.h"
#include "iam/service.h"
#include "iam/workload_credentials.h"
#include "kms/service.h"
#include "net/http.h"
#include "server/http_call.h"
#include "server/metrics.h"
#include "sns/service.h"
#include "sqs/service.h"

namespace wharf::storage {
class Store;
}

namespace wharf::server {

class PostgresQueues;

struct DispatcherOptions {
  std::string account_id = "000000000000";  // the caller's account when signatures are not checked
  std::string region = "us-east-1";
  std::string base_url;  // empty: from the Host header
  // Verifies every request's signature against these credentials; null (`--auth off`, and the
  // in-process test harness) only parses the Authorization header for the access key.
  const auth::CredentialStore* credentials = nullptr;
  const Clock* clock = nullptr;  // wall clock for the signature time window
  // Serves IAM and STS (requests signed for "iam"/"sts"); null: they get InvalidAction.
  iam::IdentityService* identity = nullptr;
  // IAM/STS answers wait on this gate (their changes become durable first); empty: none.
  HttpCall::AnswerGate identity_gate;
  // Serves KMS (X-Amz-Target: TrentService.*); null: UnknownOperationException.
  kms::KeyService* kms = nullptr;
  // KMS answers wait on this gate (key changes become durable first); empty: none.
  HttpCall::AnswerGate kms_gate;
  // GET /_wharf/credentials: temporary credentials for workloads; null: not served.
  const iam::WorkloadCredentials* workload_credentials = nullptr;
  // Test mode only: POST /_wharf/test/clock?advance_seconds=N moves this clock forward.
  OffsetClock* test_clock = nullptr;
  // Test mode only (with the embedded store): POST /_wharf/test/storage-fault?mode=M (or a
  // JSON body {"mode":"M"}) makes the store's disk fail from now on — "enospc" or "eio" on
  // every write, "enospc-sync" or "eio-sync" on every sync — or heals it ("off"). Returns
  // false for an unknown mode. Null: not served.
  std::function<bool(std::string_view mode)> test_storage_fault;
  // Serves SNS (requests signed for "sns") and the envelope signing certificate
  // (GET /SimpleNotificationService-<hash>.pem); null: InvalidAction.
  sns::SnsService* sns = nullptr;
  // Serves GET /metrics (docs/metrics.md) and counts every AWS request answered; null (--metrics
  // off): neither.
  Metrics* metrics = nullptr;
  // Serves the web console's files at GET /console and /console/<file> (src/console,
  // docs/console.md); false (--console off): those paths are API requests like any other.
  bool console = true;
  // GET /health reports this store's health (Store::Health); null: "ok" while the process serves.
  const storage::Store* store = nullptr;
  // --storage postgres: GET /health also says whether the queue database answers.
  const PostgresQueues* postgres = nullptr;
};

class Dispatcher {
 public:
  Dispatcher(sqs::SqsService& sqs, DispatcherOptions options);

  void Handle(net::HttpRequest&& request, net::Responder respond);

 private:
  sqs::SqsService& sqs_;
  const DispatcherOptions options_;
  std::unique_ptr<auth::SigV4Verifier> verifier_;
  api::HandlerTable<sqs::SqsService> sqs_handlers_;
  api::HandlerTable<iam::IdentityService> identity_handlers_;
  api::HandlerTable<kms::KeyService> kms_handlers_;
  api::HandlerTable<sns::SnsService> sns_handlers_;
};

}  // namespace wharf::server
