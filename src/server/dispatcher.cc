#include "server/dispatcher.h"

#include <memory>
#include <optional>

#include "api/service_name.h"
#include "auth/credential_scope.h"
#include "common/ids.h"
#include "common/text.h"
#include "console/console.h"
#include "iam/register.h"
#include "kms/register.h"
#include "protocol/form.h"
#include "protocol/protocol.h"
#include "server/http_call.h"
#include "server/postgres_queues.h"
#include "sns/register.h"
#include "sqs/register.h"
#include "storage/store.h"

namespace wharf::server {
namespace {

// GET /health answers 200 while the process serves requests — it is a liveness check: a restart
// does not free a full disk, and receives and deletes go on working while sends are refused with
// a retryable 503. While the store's writes fail the body says so ("degraded" and the kind of
// failure, never its detail: /health needs no signature), for operators and readiness probes
// that want to take such a node out of rotation.
// With --storage postgres the body also has "database": "ok", or "unreachable" (degraded) while
// the last health reading of the queue database failed.
net::HttpResponse Health(const std::string& request_id, const storage::Store* store,
                         const PostgresQueues* postgres) {
  net::HttpResponse response;
  response.headers.emplace_back("Content-Type", "application/json");
  response.headers.emplace_back("x-amzn-RequestId", request_id);
  const storage::StorageStatus health = store ? store->Health() : storage::StorageStatus();
  const bool database_ok = postgres == nullptr || postgres->health().reachable;
  response.body = health.ok() && database_ok ? R"({"status":"ok","storage":")"
                                             : R"({"status":"degraded","storage":")";
  response.body += health.ok() ? "ok" : storage::StorageErrorName(health.error().code);
  response.body += '"';
  if (postgres != nullptr) {
    response.body += database_ok ? R"(,"database":"ok")" : R"(,"database":"unreachable")";
  }
  response.body += '}';
  return response;
}

// The value of "mode" in a small JSON object ({"mode":"enospc"}), or nullopt.
std::optional<std::string_view> JsonMode(std::string_view body) {
  const size_t name = body.find("\"mode\"");
  if (name == std::string_view::npos) return std::nullopt;
  size_t i = body.find_first_not_of(" \t\r\n", name + 6);
  if (i == std::string_view::npos || body[i] != ':') return std::nullopt;
  i = body.find_first_not_of(" \t\r\n", i + 1);
  if (i == std::string_view::npos || body[i] != '"') return std::nullopt;
  const size_t end = body.find('"', i + 1);
  if (end == std::string_view::npos) return std::nullopt;
  return body.substr(i + 1, end - i - 1);
}

// The access key and signing region: from the Authorization header, or from the presigned-URL
// parameters (security.md §1.1). Signatures are not verified yet.
api::ApiResult<auth::CredentialScope> IdentifyCaller(const net::HttpRequest& request) {
  std::string_view authorization = request.Header("Authorization");
  if (!authorization.empty()) {
    auto info = auth::ParseAuthorizationHeader(authorization);
    if (!info.ok()) return std::move(info).error();
    return std::move(info)->scope;
  }
  protocol::FormParams params;
  if (protocol::ParseForm(request.Query(), params)) {
    for (const auto& [name, value] : params) {
      if (name == "X-Amz-Credential") return auth::ParseCredentialScope(value);
    }
  }
  return api::Error(api::ErrorCode::kMissingAuthenticationToken);
}

// The service a request was signed for (security.md §0), "" when it carries no readable
// credential scope; only used to route requests without X-Amz-Target.
std::string ScopeService(const net::HttpRequest& request) {
  auto scope = IdentifyCaller(request);
  return scope.ok() ? scope->service : std::string();
}

// GET /SimpleNotificationService-<hash>.pem: the certificate SNS envelopes are signed with
// (sns-fanout.md §4.3), public like AWS's, so consumers can verify without credentials.
bool IsSigningCertificatePath(const sns::SnsService* sns, std::string_view path) {
  return sns != nullptr && sns->signing_key() != nullptr && path.size() > 1 &&
         path.substr(1) == sns->signing_key()->certificate_file();
}

}  // namespace

Dispatcher::Dispatcher(sqs::SqsService& sqs, DispatcherOptions options)
    : sqs_(sqs), options_(std::move(options)) {
  if (options_.credentials && options_.clock) {
    verifier_ = std::make_unique<auth::SigV4Verifier>(*options_.credentials);
  }
  sqs::RegisterHandlers(sqs_handlers_);
  iam::RegisterHandlers(identity_handlers_);
  kms::RegisterHandlers(kms_handlers_);
  sns::RegisterHandlers(sns_handlers_);
}

void Dispatcher::Handle(net::HttpRequest&& request, net::Responder respond) {
  api::RequestContext context;
  context.request_id = NewUuid();
  if (request.Path() == "/health" && request.method == "GET") {
    respond(Health(context.request_id, options_.store, options_.postgres));
    return;
  }
  if (options_.console && request.method == "GET" && console::IsConsolePath(request.Path())) {
    // The console's static files (src/console): public like /health, they hold no data; every
    // call the page makes is an ordinary signed API request.
    respond(console::Serve(request.Path(), request.Header("If-None-Match")));
    return;
  }
  if (options_.metrics && request.method == "GET" && request.Path() == kMetricsPath) {
    respond(options_.metrics->Serve(request));
    return;
  }
  // Every AWS request is counted when answered, with its latency from here.
  RequestMetrics* const metrics = options_.metrics ? &options_.metrics->requests() : nullptr;
  const MonoTime start = metrics ? metrics->Start() : MonoTime{};
  if (options_.test_clock && request.method == "POST" && request.Path() == "/_wharf/test/clock") {
    // Test mode: let STS sessions expire without waiting (never enabled by default).
    constexpr std::string_view kParam = "advance_seconds=";
    constexpr int64_t kMaxAdvance = 100'000'000;  // about three years
    const std::string_view query = request.Query();
    std::optional<int64_t> seconds;
    if (query.substr(0, kParam.size()) == kParam) seconds = ParseInt64(query.substr(kParam.size()));
    net::HttpResponse response;
    response.headers.emplace_back("Content-Type", "application/json");
    if (!seconds || *seconds <= 0 || *seconds > kMaxAdvance) {
      response.status = 400;
      response.body = R"({"message":"advance_seconds must be a positive integer"})";
    } else {
      options_.test_clock->Advance(*seconds * 1000);
      response.body = "{\"wall_millis\":" + std::to_string(options_.test_clock->WallMillis()) + "}";
    }
    respond(std::move(response));
    return;
  }
  if (options_.test_storage_fault && request.method == "POST" &&
      request.Path() == "/_wharf/test/storage-fault") {
    // Test mode: a full or failing disk under the running server (docs/reliability.md).
    constexpr std::string_view kParam = "mode=";
    const std::string_view query = request.Query();
    std::optional<std::string_view> mode;
    if (query.substr(0, kParam.size()) == kParam) {
      mode = query.substr(kParam.size());
    } else {
      mode = JsonMode(request.body);
    }
    net::HttpResponse response;
    response.headers.emplace_back("Content-Type", "application/json");
    if (!mode || !options_.test_storage_fault(*mode)) {
      response.status = 400;
      response.body = R"({"message":"mode must be enospc, eio, enospc-sync, eio-sync or off"})";
    } else {
      response.body = "{\"mode\":\"" + std::string(*mode) + "\"}";
    }
    respond(std::move(response));
    return;
  }
  if (request.method == "GET" && IsSigningCertificatePath(options_.sns, request.Path())) {
    net::HttpResponse response;
    response.headers.emplace_back("Content-Type", "application/x-x509-ca-cert");
    response.headers.emplace_back("x-amzn-RequestId", context.request_id);
    response.body = options_.sns->signing_key()->certificate_pem();
    respond(std::move(response));
    return;
  }
  if (options_.workload_credentials && request.method == "GET" &&
      request.Path() == iam::kWorkloadCredentialsPath) {
    // Not an AWS request: the container credential provider sends only its token.
    auto answer = options_.workload_credentials->Serve(request.Header("Authorization"));
    net::HttpResponse response;
    response.status = answer.status;
    response.headers.emplace_back("Content-Type", "application/json");
    response.headers.emplace_back("Cache-Control", "no-store");
    response.body = std::move(answer.body);
    respond(std::move(response));
    return;
  }
  const std::string_view amz_target = request.Header("X-Amz-Target");
  if (request.body_too_large) {
    if (metrics) {
      metrics->Finish(RequestMetrics::kUnrouted, api::ErrorCode::kRequestEntityTooLarge, start);
    }
    respond(ToHttp(protocol::EncodeError(protocol::GuessProtocol(amz_target), context.request_id,
                                         api::Error(api::ErrorCode::kRequestEntityTooLarge)),
                   context.request_id));
    return;
  }
  context.account_id = options_.account_id;
  context.sender_id = options_.account_id;  // SenderId of a root caller is its account id
  context.region = options_.region;
  context.trace_header = std::string(request.Header("X-Amzn-Trace-Id"));
  context.source_ip = request.remote_address;
  context.secure_transport = request.is_tls;
  if (!options_.base_url.empty()) {
    context.base_url = options_.base_url;
  } else {
    const std::string_view host = request.Header("Host");
    context.base_url = request.is_tls ? "https://" : "http://";
    context.base_url.append(host.empty() ? "localhost:9324" : host);
  }

  auto call =
      std::make_shared<HttpCall>(std::move(request), std::move(respond), std::move(context));
  if (metrics) call->SetMetrics(metrics, start);
  const net::HttpRequest& req = call->request();
  protocol::RequestView view;
  view.method = req.method;
  view.path = req.Path();
  view.query = req.Query();
  view.content_type = req.Header("Content-Type");
  view.amz_target = req.Header("X-Amz-Target");
  view.body = &req.body;
  const std::string scope_service = view.amz_target.empty() ? ScopeService(req) : std::string();
  view.scope_service = scope_service;
  auto parsed = protocol::Parse(view);
  if (!parsed.ok()) {
    call->FailRoute(parsed.error());
    return;
  }
  const api::Action action = parsed->action();
  call->SetParsed(std::move(parsed).value());
  call->mutable_context().action = action;

  if (verifier_) {
    // Every request is signed (security.md §1): who signed it is who calls.
    auth::SignedRequest signed_request{req.method, req.Path(), req.Query(), &req.headers, req.body};
    const int64_t now = options_.clock->WallMillis() / 1000;
    auto caller =
        verifier_->Verify(signed_request, now, api::ServiceName(api::InfoOf(action).service));
    if (!caller.ok()) {
      call->Fail(std::move(caller).error());
      return;
    }
    api::RequestContext& ctx = call->mutable_context();
    ctx.access_key_id = caller->key->access_key_id;
    ctx.account_id = caller->key->principal.account_id;
    ctx.sender_id = caller->key->principal.unique_id;
    ctx.caller = std::move(caller->key);
  } else {
    auto caller = IdentifyCaller(req);
    if (!caller.ok()) {
      call->Fail(std::move(caller).error());
      return;
    }
    call->mutable_context().access_key_id = std::move(caller->access_key_id);
  }

  if (api::InfoOf(action).service == api::Service::kKms) {
    auto kms_thunk = options_.kms ? kms_handlers_.Find(action) : nullptr;
    if (!kms_thunk) {
      call->Fail(api::Error(api::ErrorCode::kUnknownOperation,
                            "The KMS action " + std::string(api::InfoOf(action).name) +
                                " is not served by this server."));
      return;
    }
    if (options_.kms_gate) call->SetAnswerGate(options_.kms_gate);
    kms_thunk(*options_.kms, std::move(call));
    return;
  }
  if (api::InfoOf(action).service == api::Service::kSns) {
    auto sns_thunk = options_.sns ? sns_handlers_.Find(action) : nullptr;
    if (!sns_thunk) {
      call->Fail(api::Error(api::ErrorCode::kInvalidAction,
                            "The action " + std::string(api::InfoOf(action).name) +
                                " is not valid for this endpoint."));
      return;
    }
    sns_thunk(*options_.sns, std::move(call));
    return;
  }
  if (api::InfoOf(action).service != api::Service::kSqs) {
    auto identity_thunk = options_.identity ? identity_handlers_.Find(action) : nullptr;
    if (!identity_thunk) {
      call->Fail(api::Error(api::ErrorCode::kInvalidAction,
                            "The action " + std::string(api::InfoOf(action).name) +
                                " is not valid for this endpoint."));
      return;
    }
    if (options_.identity_gate) call->SetAnswerGate(options_.identity_gate);
    identity_thunk(*options_.identity, std::move(call));
    return;
  }
  auto thunk = sqs_handlers_.Find(action);
  if (!thunk) {
    call->Fail(api::Error(api::ErrorCode::kUnsupportedOperation,
                          "The action " + std::string(api::InfoOf(action).name) +
                              " is not supported by this server yet."));
    return;
  }
  thunk(sqs_, std::move(call));
}

}  // namespace wharf::server
