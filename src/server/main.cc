// wharf: an Amazon SQS-compatible message queue server.
//   wharf serve [options]   serve SQS (both protocols) over HTTP, and HTTPS when configured
//   wharf bench [options]   measure an SQS endpoint (src/bench)
//   wharf tls create-ca|issue   a local CA and server certificates (server/tls_command.h)
//   wharf settings          print the settings table (docs/configuration.md)
//   wharf rekey [options]   rotate the root key of a stopped server's data directory
//   wharf --version

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <future>
#include <iostream>
#include <optional>
#include <utility>

#include "auth/authorizer.h"
#include "auth/credentials.h"
#include "bench/bench.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/offset_clock.h"
#include "common/periodic_thread.h"
#include "common/sealing.h"
#include "common/thread_scheduler.h"
#include "iam/identity_store.h"
#include "iam/records.h"
#include "iam/service.h"
#include "iam/session_store.h"
#include "iam/store_journal.h"
#include "iam/workload_credentials.h"
#include "kms/key_store.h"
#include "kms/records.h"
#include "kms/service.h"
#include "kms/store_journal.h"
#include "net/http_server.h"
#include "server/config_file.h"
#include "server/dispatcher.h"
#include "server/metrics.h"
#include "server/postgres_queues.h"
#include "server/provisioner.h"
#include "server/rekey.h"
#include "server/request_log.h"
#include "server/root_key.h"
#include "server/settings.h"
#include "server/startup_config.h"
#include "server/tls_command.h"
#include "server/version.h"
#include "sns/delivery_thread.h"
#include "sns/service.h"
#include "sns/signing_key.h"
#include "sqs/service.h"
#include "storage/fault_injection.h"
#include "storage/rocks_store.h"
#include "storage/store.h"

namespace wharf::server {
extern const char* const kBuildCommit;  // build_info.cc, generated (cmake/build_info.cmake)
}  // namespace wharf::server

namespace {

using namespace wharf;

// The listeners from the settings: plain HTTP unless --http off, HTTPS when a certificate chain
// and key are configured (security.md §5.1). Each setting is within its bounds already
// (ResolveSettings); what is checked here is how they go together.
Result<net::ServerOptions, std::string> ListenerOptions(const server::Settings& settings) {
  net::ServerOptions options;
  options.address = settings.host;
  options.port = settings.port;
  options.io_threads = settings.io_threads;
  options.max_body_bytes = static_cast<size_t>(settings.max_request_bytes);
  options.max_header_bytes = static_cast<uint32_t>(settings.max_header_bytes);
  options.max_connections = static_cast<size_t>(settings.max_connections);
  options.max_requests_per_connection = static_cast<uint64_t>(settings.max_requests_per_connection);
  options.idle_timeout = std::chrono::seconds(settings.idle_timeout_seconds);
  options.header_timeout = std::chrono::seconds(settings.header_timeout_seconds);
  options.body_timeout = std::chrono::seconds(settings.body_timeout_seconds);
  options.plain_http = settings.http == "on";
  if (settings.tls_cert.empty() != settings.tls_key.empty()) {
    return std::string("--tls-cert and --tls-key go together");
  }
  if (settings.tls_cert.empty()) {
    if (!options.plain_http) return std::string("--http off needs --tls-cert and --tls-key");
    return options;
  }
  net::TlsOptions& tls = options.tls.emplace();
  tls.port = settings.tls_port;
  tls.certificate_chain_file = settings.tls_cert;
  tls.private_key_file = settings.tls_key;
  tls.private_key_passphrase = settings.tls_key_passphrase;
  tls.handshake_timeout = std::chrono::seconds(settings.tls_handshake_timeout_seconds);
  struct stat key_stat {};
  if (stat(settings.tls_key.c_str(), &key_stat) == 0 && (key_stat.st_mode & 077) != 0) {
    std::fprintf(stderr, "wharf: WARNING: TLS key %s is readable by other users (chmod 600 it)\n",
                 settings.tls_key.c_str());
  }
  return options;
}

// --storage postgres: how often a node looks for IAM, KMS and SNS changes made by another node
// (one cheap query; a change is seen within about this long).
constexpr std::chrono::milliseconds kObjectsCheckInterval{1000};
// --storage postgres: how often a node reads the message move tasks back and looks after their
// leases (a task started, progressed, cancelled or ended through another node is seen within
// about this long; a dead runner's task is taken over within its lease, 12 s, plus this).
constexpr std::chrono::milliseconds kMoveTaskSyncInterval{1000};

// Descriptors kept for everything but client connections: the store's files (RocksDB keeps its
// table files open), logs, listeners.
constexpr rlim_t kReservedDescriptors = 1024;

// Makes room for `max_connections` client sockets under RLIMIT_NOFILE: raises the soft limit
// (up to the hard one) if needed, and if that is not enough lowers `max_connections` with a
// warning, so that a flood of connections runs into --max-connections, not into EMFILE in the
// store.
void FitOpenFileLimit(size_t& max_connections) {
  struct rlimit limit {};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t wanted = static_cast<rlim_t>(max_connections) + kReservedDescriptors;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
    struct rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= wanted) return;
  const size_t fits = limit.rlim_cur > 2 * kReservedDescriptors
                          ? static_cast<size_t>(limit.rlim_cur - kReservedDescriptors)
                          : static_cast<size_t>(limit.rlim_cur / 2);
  std::fprintf(stderr,
               "wharf: WARNING: the open-file limit (%llu) leaves room for %zu connections, not "
               "--max-connections %zu; serving at most %zu (raise `ulimit -n`)\n",
               static_cast<unsigned long long>(limit.rlim_cur), fits, max_connections, fits);
  max_connections = std::max<size_t>(fits, 1);
}

int Serve(const server::Settings& settings, server::ConfigFile config) {
  // Block the signals we handle in every thread; the main thread waits for them with sigwait:
  // SIGINT/SIGTERM stop the server, SIGHUP reloads the TLS certificate and key, SIGUSR1
  // switches the log between --log-level and debug (a closer look without a restart).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  const std::optional<log::Level> log_level = log::ParseLevel(settings.log_level);
  const std::optional<log::Format> log_format = log::ParseFormat(settings.log_format);
  if (!log_level || !log_format) {
    std::fprintf(stderr, "wharf: %s\n",
                 !log_level ? "--log-level must be trace, debug, info, warn, error or off"
                            : "--log-format must be text or json");
    return 2;
  }
  if (settings.request_log != "on" && settings.request_log != "off") {
    std::fprintf(stderr, "wharf: --request-log must be on or off\n");
    return 2;
  }
  log::Configure(*log_format, *log_level);
  server::EnableRequestLog(settings.request_log == "on");

  std::error_code ec;
  std::filesystem::create_directories(settings.data_dir, ec);
  if (ec) {
    std::fprintf(stderr, "wharf: cannot create data directory %s: %s\n", settings.data_dir.c_str(),
                 ec.message().c_str());
    return 1;
  }

  auto net_options = ListenerOptions(settings);
  if (!net_options.ok()) {
    std::fprintf(stderr, "wharf: %s\n", net_options.error().c_str());
    return 2;
  }
  FitOpenFileLimit(net_options->max_connections);
  if (net_options->tls) {  // before recovering the store, which may take a while
    if (auto usable = net::CheckTlsFiles(*net_options->tls); !usable.ok()) {
      std::fprintf(stderr, "wharf: %s\n", usable.error().message.c_str());
      return 1;
    }
  }
  if (settings.test_mode != "on" && settings.test_mode != "off") {
    std::fprintf(stderr, "wharf: --test-mode must be on or off\n");
    return 2;
  }
  SystemClock clock;
  ThreadScheduler scheduler(clock);
  // Prometheus metrics at GET /metrics (docs/metrics.md). Made before the services, so it
  // outlives every call they still hold at shutdown (an unanswered call is counted when freed).
  std::unique_ptr<server::Metrics> metrics;
  if (settings.metrics == "on") {
    server::MetricsOptions metrics_options;
    metrics_options.max_queues = static_cast<size_t>(settings.metrics_max_queues);
    metrics_options.token = settings.metrics_token;
    metrics_options.version = WHARF_VERSION;
    metrics = std::make_unique<server::Metrics>(clock, std::move(metrics_options));
  }
  // Test mode with the embedded store: the store runs on the fault-injecting filesystem, so a
  // test can fill the disk and free it again (POST /_wharf/test/storage-fault). Never otherwise.
  std::unique_ptr<storage::FaultInjection> storage_faults;
  // The root key seals everything at rest (security.md §4.6): the store's values under its
  // sub-key "storage v1", IAM secrets and STS tokens under theirs. Memory mode keeps nothing,
  // so it needs no key.
  std::optional<server::RootKey> root;
  std::unique_ptr<storage::Store> store;
  std::string sealing_summary = "not sealed (nothing kept)";
  if (settings.storage == "memory") {
    store = std::make_unique<storage::MemoryStore>();
  } else {
    auto loaded = server::LoadOrCreateRootKey(server::RootKeyLocationOf(settings));
    if (!loaded.ok()) {
      std::fprintf(stderr, "wharf: %s\n", loaded.error().c_str());
      return 1;
    }
    root.emplace(std::move(loaded).value());
    storage::RocksOptions rocks;
    rocks.directory = (std::filesystem::path(settings.data_dir) / "queues").string();
    rocks.durability = settings.durability == "strict" ? storage::Durability::kStrict
                                                       : storage::Durability::kRelaxed;
    rocks.relaxed_sync_interval = std::chrono::milliseconds(settings.relaxed_sync_ms);
    rocks.max_retained_bytes = static_cast<uint64_t>(settings.outage_memory_mb) << 20;
    rocks.sealing_key = root->key.Derive("storage v1");
    // A full or failing disk: changes are answered 503 ServiceUnavailable until the store
    // recovers by itself (checked every second; nothing acknowledged is lost).
    rocks.on_health_change = [](const storage::StorageStatus& status) {
      if (status.ok()) {
        log::Line(log::Level::kWarn, "storage_recovered")
            .Str("detail", "writes succeed again; sends are accepted");
      } else {
        log::Line(log::Level::kError, "storage_failing")
            .Str("detail", status.error().detail)
            .Str("effect", "changes answered 503 ServiceUnavailable until the disk recovers");
      }
    };
    if (settings.test_mode == "on") {
      storage_faults = std::make_unique<storage::FaultInjection>();
      rocks.env = storage_faults->env();
    }
    auto opened = storage::RocksStore::Open(rocks);
    if (!opened.ok()) {
      if (opened.error().code == storage::StorageErrorCode::kWrongKey &&
          !root->created_path.empty()) {
        // The key file was missing, not the store: leave no fresh key behind to confuse the
        // next start.
        std::filesystem::remove(root->created_path, ec);
        std::fprintf(stderr,
                     "wharf: the store in %s is sealed with a root key this start did not find: "
                     "%s did not exist (the key just created for it was removed again). Restore "
                     "the key file or parameters file the store was sealed with, or set "
                     "WHARF_ROOT_KEY\n",
                     rocks.directory.c_str(), root->created_path.c_str());
        return 1;
      }
      std::fprintf(stderr, "wharf: cannot open the store: %s\n", opened.error().detail.c_str());
      return 1;
    }
    const storage::SealingReport& sealing = (*opened)->sealing_report();
    sealing_summary = "sealed, root key from " + root->mode;
    if (sealing.sealed > 0) {
      sealing_summary += "; " + std::to_string(sealing.sealed) +
                         " values written before sealing were sealed in place";
    }
    store = std::move(opened).value();
  }
  sqs::ServiceOptions sqs_options;
  sqs_options.region = settings.region;
  sqs_options.body_memory_bytes = settings.body_memory_mb * 1024 * 1024;
  if (sqs_options.body_memory_bytes == 0) {
    sqs_options.body_memory_bytes = static_cast<int64_t>(sysconf(_SC_PHYS_PAGES)) *
                                    static_cast<int64_t>(sysconf(_SC_PAGE_SIZE)) / 4;
  }
  sqs_options.auto_create_queues = settings.auto_create_queues == "on";
  if (settings.legacy_max_message_size > 0) {
    sqs_options.limits.max_message_size = settings.legacy_max_message_size;
  }
  // --storage postgres: queues and messages in PostgreSQL, shared with the other nodes, and the
  // keyed objects of IAM, KMS and SNS too (ADR 0002 decision 7), message move tasks, and this
  // node's SNS outbox (its own, adopted by another node if this one is killed).
  std::unique_ptr<server::PostgresQueues> postgres_queues;
  std::optional<server::ObjectsWatcher::Signature> objects_at_start;
  // --storage postgres: message move tasks read back, their leases renewed and taken over
  // (sqs/move_tasks.h), every kMoveTaskSyncInterval and when a start or a cancel through this
  // node asks. A beat of its own rather than an ObjectsWatcher owner: leases must be renewed,
  // and a dead runner's task taken over, even when no object changes.
  PeriodicThread move_task_beat;
  if (settings.storage == "postgres") {
    auto opened =
        server::PostgresQueues::Open(settings, root->key, sqs_options.limits, clock, scheduler);
    if (!opened.ok()) {
      std::fprintf(stderr, "wharf: %s\n", opened.error().c_str());
      return 1;
    }
    postgres_queues = std::move(opened).value();
    sqs_options.catalog = &postgres_queues->catalog();
    // Woken by a start or cancel through this node (declared before the service it wakes for;
    // started below, and stopped before the service is destroyed).
    sqs_options.move_tasks_shared =
        sqs::MoveTasksShared{&postgres_queues->objects(), &postgres_queues->move_task_leases(),
                             [&move_task_beat] { move_task_beat.RunSoon(); }};
    // Read before the owners load (below): a change another node commits meanwhile makes the
    // watcher's first check reload them.
    auto signature = postgres_queues->ObjectsSignature();
    if (!signature.ok()) {
      std::fprintf(stderr, "wharf: cannot read the shared objects in PostgreSQL: %s\n",
                   signature.error().c_str());
      return 1;
    }
    objects_at_start = *signature;
  }
  storage::Store& objects = postgres_queues ? postgres_queues->objects() : *store;
  // IAM and STS (security.md §3). Identities are keyed objects in the store, access-key
  // secrets sealed under the root key; in memory mode nothing is kept.
  iam::NullJournal no_journal;
  std::unique_ptr<iam::StoreJournal> store_journal;
  std::optional<Sealer> session_tokens;  // STS session tokens survive restarts (sealed)
  // KMS keys and aliases too (security.md §4.6): key material wrapped under the root key's
  // sub-key "kms-wrap v1".
  std::optional<Sealer> sns_signing;  // the SNS envelope signing key, sealed at rest
  kms::NullJournal no_kms_journal;
  std::unique_ptr<kms::StoreJournal> kms_journal;
  if (root) {
    store_journal =
        std::make_unique<iam::StoreJournal>(objects, root->key.Derive("iam-secrets v1"));
    session_tokens.emplace(root->key.Derive("sts-tokens v1"));
    kms_journal = std::make_unique<kms::StoreJournal>(objects, root->key.Derive("kms-wrap v1"));
    sns_signing.emplace(root->key.Derive("sns-signing v1"));
  }
  iam::IdentityJournal& identity_journal =
      store_journal ? static_cast<iam::IdentityJournal&>(*store_journal) : no_journal;
  iam::IdentityStore identity_store(clock, identity_journal);
  if (store_journal) {
    auto identities = store_journal->Load();
    if (!identities.ok()) {
      std::fprintf(stderr, "wharf: %s\n", identities.error().c_str());
      return 1;
    }
    identity_store.Load(*identities);
  }
  // Test mode: STS sessions and the SSE-KMS data-key caches run on a clock that tests can move
  // forward (in normal mode it never moves away from `clock`).
  OffsetClock session_clock(clock);
  sqs_options.key_cache_clock = &session_clock;
  iam::SessionStore sts_sessions(session_clock, session_tokens ? &*session_tokens : nullptr);
  // Every call of every service is authorized (security.md §2): account roots, IAM users' and
  // role sessions' policies from the identity store, queue policies.
  auth::AuditSink audit;
  if (settings.audit_log == "on") {
    audit = [](const auth::AuditRecord& record) {
      log::Line(log::Level::kInfo, "authorization")
          .Str("decision", auth::FormatAuditRecord(record));
    };
  }
  const auth::Authorizer authorizer(&identity_store, clock, std::move(audit));
  // KMS (security.md §4): the key service SQS's SSE-KMS asks for data keys, and the KMS API.
  kms::KeyStore key_store(clock,
                          kms_journal ? static_cast<kms::KeyJournal&>(*kms_journal)
                                      : static_cast<kms::KeyJournal&>(no_kms_journal),
                          settings.region);
  if (kms_journal) {
    auto keys = kms_journal->Load();
    if (!keys.ok()) {
      std::fprintf(stderr, "wharf: %s\n", keys.error().c_str());
      return 1;
    }
    for (const std::string& problem :
         key_store.Load(std::move(keys->keys), std::move(keys->aliases))) {
      std::fprintf(stderr, "wharf: WARNING: KMS: %s\n", problem.c_str());
    }
  }
  kms::KeyService key_service(key_store, authorizer, clock);
  sqs_options.key_service = &key_service;  // SSE-KMS data keys (security.md §4.2)
  sqs_options.authorizer = &authorizer;
  sqs::SqsService sqs(clock, scheduler, *store, sqs_options);
  const auto recovery_start = std::chrono::steady_clock::now();
  auto recovered = sqs.Recover();
  if (!recovered.ok()) {
    std::fprintf(stderr, "wharf: cannot recover the store: %s\n", recovered.error().c_str());
    return 1;
  }
  if (postgres_queues) {
    // Every node's move tasks before the first request (StartMessageMoveTask checks them).
    if (Status<std::string> synced = sqs.move_tasks().Sync(); !synced.ok()) {
      std::fprintf(stderr, "wharf: %s\n", synced.error().c_str());
      return 1;
    }
  }
  // SNS (sns-fanout.md): topics and subscriptions, and the deliveries an earlier run left in
  // the outbox, resumed once the queues they go to are back.
  std::optional<Result<std::shared_ptr<const sns::SigningKey>, std::string>> signing_key;
  auto load_signing_key = [&] {
    signing_key = sns::LoadOrCreateSigningKey(objects, sns_signing ? &*sns_signing : nullptr);
  };
  if (postgres_queues) {
    // Nodes starting at once on an empty database would each create a key, and the last one
    // written would replace the others' only at their next restart: one at a time.
    if (Status<std::string> alone = postgres_queues->RunAlone(
            "sns-signing-key", std::chrono::seconds(30), load_signing_key);
        !alone.ok()) {
      std::fprintf(stderr, "wharf: %s\n", alone.error().c_str());
      return 1;
    }
  } else {
    load_signing_key();
  }
  if (!signing_key->ok()) {
    std::fprintf(stderr, "wharf: %s\n", signing_key->error().c_str());
    return 1;
  }
  log::Line(log::Level::kInfo, "sns_signing_key")
      .Str("certificate", (*signing_key).value()->certificate_file());
  sns::DeliveryThread sns_delivery_thread;
  sns::ServiceOptions sns_options;
  sns_options.region = settings.region;
  sns_options.authorizer = &authorizer;
  sns_options.public_endpoint = settings.base_url;
  sns_options.delivery.executor = [&sns_delivery_thread](std::function<void()> task) {
    sns_delivery_thread.Post(std::move(task));
  };
  sns_options.delivery.log = [](std::string_view line) {
    log::Line(log::Level::kWarn, "sns_delivery").Str("detail", line);
  };
  // Topics and subscriptions are shared objects. The outbox holds the deliveries this node
  // accepted: with --storage postgres in PostgreSQL as this run's own, numbered from a new
  // epoch (another node adopts them if this one is killed); else in the embedded store.
  sns_options.outbox_store = store.get();
  if (postgres_queues) {
    auto first = postgres_queues->OutboxFirstSequence();
    if (!first.ok()) {
      std::fprintf(stderr, "wharf: %s\n", first.error().c_str());
      return 1;
    }
    sns_options.outbox_store = &postgres_queues->outbox();
    sns_options.outbox_first_sequence = *first;
  }
  sns::SnsService sns(clock, scheduler, objects, sqs, std::move(*signing_key).value(),
                      std::move(sns_options));
  auto sns_recovered = sns.Recover();
  if (sns_recovered.ok() && postgres_queues) {
    // Left by a version that kept the outbox in the embedded store: delivered from here.
    auto imported = sns.ImportOutbox(*store);
    if (!imported.ok()) {
      sns_recovered = std::move(imported).error();
    } else {
      sns_recovered->pending_publications += *imported;
    }
  }
  if (!sns_recovered.ok()) {
    std::fprintf(stderr, "wharf: cannot recover SNS: %s\n", sns_recovered.error().c_str());
    return 1;
  }
  // Held before the first publish: no node may adopt this one's outbox while it serves.
  if (postgres_queues) {
    Status<std::string> kept = postgres_queues->KeepOutbox(
        [&sns](server::PostgresQueues::OwnedObjects adopted) { sns.ResumeAdopted(adopted); });
    if (!kept.ok()) {
      std::fprintf(stderr, "wharf: %s\n", kept.error().c_str());
      return 1;
    }
  }
  // Whatever the exit: the beat (it calls into `sns`) stops before `sns` is destroyed, and the
  // lease is given up so that another node adopts at once what was left undelivered. On a
  // clean stop this runs after the delivery thread stopped, so nothing is delivered twice.
  struct GiveUpOutbox {
    server::PostgresQueues* pg;
    ~GiveUpOutbox() {
      if (pg != nullptr) pg->GiveUpOutbox();
    }
  } give_up_outbox{postgres_queues.get()};
  const auto recovery_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - recovery_start)
                               .count();
  auth::StaticCredentialStore credentials;
  credentials.AddRootKey(settings.access_key_id, settings.secret_access_key, settings.account_id);
  std::vector<iam::WorkloadBinding> workloads;
  for (server::WorkloadConfig& w : config.workloads) {
    iam::WorkloadBinding binding;
    binding.token = std::move(w.token);
    binding.role_arn = std::move(w.role_arn);
    binding.duration_seconds = w.duration_seconds;
    workloads.push_back(std::move(binding));
  }
  const size_t extra_accounts = config.accounts.size();
  std::vector<std::string> account_ids = {settings.account_id};
  std::vector<std::string> root_keys = {settings.access_key_id};
  for (const server::AccountConfig& account : config.accounts) {
    account_ids.push_back(account.id);
    root_keys.push_back(account.access_key_id);
  }
  for (server::AccountConfig& account : config.accounts) {
    if (account.access_key_id == settings.access_key_id) {
      std::fprintf(stderr, "wharf: %s: access key %s is already the default account's\n",
                   settings.config_file.c_str(), account.access_key_id.c_str());
      return 2;
    }
    credentials.AddRootKey(std::move(account.access_key_id), std::move(account.secret_access_key),
                           std::move(account.id));
  }
  auth::ChainedCredentialStore all_credentials({&credentials, &identity_store, &sts_sessions});
  iam::IdentityService identity(identity_store, sts_sessions, authorizer, clock);

  // What wharf.toml provisions, before anything is served (docs/provisioning.md).
  std::string provisioned;  // the summary for the log; empty: nothing to provision
  if (!config.provisioning.empty()) {
    server::ProvisionTargets targets;
    targets.sqs = &sqs;
    targets.sns = &sns;
    targets.identity = &identity;
    targets.region = settings.region;
    targets.default_account = settings.account_id;
    targets.accounts = account_ids;
    targets.root_access_keys = root_keys;
    targets.sync = [&store, &objects] {
      bool all_durable = true;
      for (storage::Store* s : {store.get(), &objects}) {
        std::promise<bool> durable;
        s->WhenDurable(s->Append({}), [&durable](storage::StorageStatus status) {
          durable.set_value(status.ok());
        });
        all_durable = durable.get_future().get() && all_durable;
      }
      return all_durable;
    };
    auto report = server::Provision(config.provisioning, targets);
    if (!report.ok()) {
      std::fprintf(stderr, "wharf: %s\n", report.error().c_str());
      return 2;
    }
    provisioned = report->Summary();
  }

  // --storage postgres: reload what another node changed (ADR 0002 decision 7). Declared after
  // the owners, so it stops before they are destroyed.
  std::optional<server::ObjectsWatcher> objects_watcher;
  // Declared after the watcher: unsubscribed before it is destroyed.
  std::optional<server::PostgresQueues::Subscription> objects_notified;
  if (postgres_queues) {
    objects_watcher.emplace([pg = postgres_queues.get()] { return pg->ObjectsSignature(); });
    objects_watcher->Prime(*objects_at_start);
    if (store_journal) {
      objects_watcher->Watch({"iam", [&identity_store, journal = store_journal.get()] {
                                return identity_store.Reload([journal] { return journal->Load(); });
                              }});
    }
    if (kms_journal) {
      objects_watcher->Watch(
          {"kms", [&key_store, journal = kms_journal.get()]() -> Status<std::string> {
             auto reloaded = key_store.Reload([journal] { return journal->Load(); });
             if (!reloaded.ok()) return std::move(reloaded).error();
             for (const std::string& problem : *reloaded) {
               log::Line(log::Level::kWarn, "kms_reload").Str("detail", problem);
             }
             return {};
           }});
    }
    objects_watcher->Watch({"sns", [&sns] { return sns.ReloadTopics(); }});
    objects_watcher->Start(kObjectsCheckInterval);
    // Another node's write is then seen in milliseconds; the interval bounds a lost NOTIFY.
    objects_notified.emplace(
        postgres_queues->OnObjectsChanged([watcher = &*objects_watcher] { watcher->CheckSoon(); }));
  }
  // The beat calls into the service: stopped before the service is destroyed, whatever the exit.
  struct StopBeat {
    PeriodicThread& beat;
    ~StopBeat() { beat.Stop(); }
  } stop_move_task_beat{move_task_beat};
  if (postgres_queues) {
    move_task_beat.Start("wharf-move-sync", kMoveTaskSyncInterval, [&sqs] {
      if (Status<std::string> synced = sqs.move_tasks().Sync(); !synced.ok()) {
        log::Line(log::Level::kWarn, "move_tasks").Str("detail", synced.error());
      }
    });
  }

  server::DispatcherOptions dispatch_options;
  dispatch_options.account_id = settings.account_id;
  dispatch_options.region = settings.region;
  dispatch_options.base_url = settings.base_url;
  dispatch_options.identity = &identity;
  dispatch_options.kms = &key_service;
  dispatch_options.sns = &sns;
  dispatch_options.store = store.get();
  dispatch_options.postgres = postgres_queues.get();
  if (sqs_options.auto_create_queues) {
    log::Line(log::Level::kWarn, "auto_create_queues")
        .Str("detail", "a request to a missing queue creates it (development only)");
  }
  if (settings.test_mode == "on") {
    dispatch_options.test_clock = &session_clock;
    std::fprintf(stderr,
                 "wharf: WARNING: test mode: POST /_wharf/test/clock moves the clock of "
                 "STS sessions and SSE-KMS data-key caches; never use this in production\n");
  }
  if (storage_faults) {
    dispatch_options.test_storage_fault = [faults = storage_faults.get()](std::string_view mode) {
      if (mode == "enospc") {
        faults->FailWrites(storage::FaultKind::kNoSpace);
      } else if (mode == "eio") {
        faults->FailWrites(storage::FaultKind::kIoError);
      } else if (mode == "enospc-sync") {
        faults->FailSyncs(storage::FaultKind::kNoSpace);
      } else if (mode == "eio-sync") {
        faults->FailSyncs(storage::FaultKind::kIoError);
      } else if (mode == "off") {
        faults->Heal();
      } else {
        return false;
      }
      log::Line(log::Level::kWarn, "test_storage_fault").Str("mode", mode);
      return true;
    };
    std::fprintf(stderr,
                 "wharf: WARNING: test mode: the store runs on a fault-injecting filesystem; "
                 "POST /_wharf/test/storage-fault?mode=enospc|eio|enospc-sync|eio-sync|off "
                 "makes its disk fail\n");
  }
  const iam::WorkloadCredentials workload_credentials(identity_store, sts_sessions, clock,
                                                      std::move(workloads));
  dispatch_options.workload_credentials = &workload_credentials;
  if (store_journal) {
    // IAM answers wait until their changes are synced (acknowledged ⇒ durable).
    dispatch_options.identity_gate = [&objects, journal = store_journal.get()](auto release) {
      objects.WhenDurable(
          journal->latest_ticket(),
          [release = std::move(release)](storage::StorageStatus status) { release(status.ok()); });
    };
  }
  if (kms_journal) {
    // KMS answers too: a key is acknowledged only once it cannot be lost.
    dispatch_options.kms_gate = [&objects, journal = kms_journal.get()](auto release) {
      objects.WhenDurable(
          journal->latest_ticket(),
          [release = std::move(release)](storage::StorageStatus status) { release(status.ok()); });
    };
  }
  if (settings.auth == "on") {
    dispatch_options.credentials = &all_credentials;
    dispatch_options.clock = &clock;
  }
  dispatch_options.metrics = metrics.get();
  dispatch_options.console = settings.console == "on";
  server::Dispatcher dispatcher(sqs, std::move(dispatch_options));

  net::HttpServer http(*net_options,
                       [&dispatcher](net::HttpRequest&& request, net::Responder respond) {
                         dispatcher.Handle(std::move(request), std::move(respond));
                       });
  if (metrics) {
    metrics->SetSources(server::MetricsSources{&sqs, &sns, store->commit_stats(), store.get(),
                                               &http, postgres_queues.get()});
  }
  if (auto started = http.Start(); !started.ok()) {
    std::fprintf(stderr, "wharf: cannot start: %s\n", started.error().message.c_str());
    return 1;
  }
  std::string listening;
  if (http.port() != 0) listening = "http://" + settings.host + ":" + std::to_string(http.port());
  if (http.tls_port() != 0) {
    if (!listening.empty()) listening += " and ";
    listening += "https://" + settings.host + ":" + std::to_string(http.tls_port());
  }
  log::Line(log::Level::kInfo, "started")
      .Str("version", WHARF_VERSION)
      .Str("commit", server::kBuildCommit)
      .Str("listening", listening)
      .Str("region", settings.region)
      .Str("account", settings.account_id)
      .Str("signature_verification", settings.auth == "on" ? "on" : "OFF (development only)")
      .Int("further_accounts", static_cast<int64_t>(extra_accounts))
      .Str("storage", settings.storage)
      .Str("durability", settings.durability)
      .Str("sealing", sealing_summary)
      .Int("recovered_queues", static_cast<int64_t>(recovered->queues))
      .Int("recovered_messages", static_cast<int64_t>(recovered->messages))
      .Int("recovery_ms", static_cast<int64_t>(recovery_ms))
      .Int("sns_publications_to_deliver", static_cast<int64_t>(sns_recovered->pending_publications))
      .Str("metrics", !metrics                         ? "off"
                      : settings.metrics_token.empty() ? "GET /metrics, no token: anyone who "
                                                         "reaches the port can read queue names"
                                                       : "GET /metrics, bearer token required")
      .Str("console", settings.console == "on" ? "GET /console" : "off");
  if (postgres_queues) {
    // Which node holds a lease (table `lease`, e.g. a message move task's) is this id.
    log::Line(log::Level::kInfo, "postgres_node").Str("node_id", postgres_queues->node_id());
  }
  // The well-known defaults: say so, never print a secret.
  if (settings.access_key_id == server::Settings{}.access_key_id &&
      settings.secret_access_key == server::Settings{}.secret_access_key) {
    log::Line(log::Level::kWarn, "default_credentials")
        .Str("access_key_id", settings.access_key_id)
        .Str("detail",
             "the default root credentials are in use; replace them for anything but "
             "local use");
  }
  if (!provisioned.empty()) {
    log::Line(log::Level::kInfo, "provisioned")
        .Str("file", settings.config_file)
        .Str("summary", provisioned);
  }

  int received = 0;
  bool debugging = false;
  while (sigwait(&signals, &received) == 0 && (received == SIGHUP || received == SIGUSR1)) {
    if (received == SIGUSR1) {
      debugging = !debugging;
      const log::Level now = debugging ? std::min(*log_level, log::Level::kDebug) : *log_level;
      log::SetLevel(now);
      log::Line(log::Level::kWarn, "log_level")
          .Str("level", log::LevelName(now))
          .Str("by", "SIGUSR1");
      continue;
    }
    if (http.tls_port() == 0) {
      std::fprintf(stderr, "wharf: SIGHUP: no TLS certificate to reload\n");
    } else if (auto reloaded = http.ReloadTls(); reloaded.ok()) {
      std::fprintf(stderr, "wharf: SIGHUP: reloaded %s and %s for new connections\n",
                   settings.tls_cert.c_str(), settings.tls_key.c_str());
    } else {
      std::fprintf(stderr, "wharf: SIGHUP: keeping the current certificate: %s\n",
                   reloaded.error().message.c_str());
    }
  }
  log::Line(log::Level::kInfo, "stopping").Int("signal", received);
  http.Stop();
  if (postgres_queues) {
    // The tasks this node runs go to another node at its next sync, not after their leases.
    move_task_beat.Stop();
    sqs.move_tasks().HandOver();
  }
  scheduler.Stop();
  sns_delivery_thread.Stop();
  if (auto* rocks = dynamic_cast<storage::RocksStore*>(store.get())) rocks->Close();
  log::Line(log::Level::kInfo, "stopped");
  log::Shutdown();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Wharf: an Amazon SQS-compatible message queue server"};
  app.set_version_flag("--version", server::VersionText(server::kBuildCommit));
  app.require_subcommand(1);

  server::SettingFlags setting_flags;
  CLI::App* serve =
      app.add_subcommand("serve", "Serve SQS (AWS JSON 1.0 and AWS Query) over HTTP and HTTPS");
  setting_flags.AddTo(*serve);
  CLI::App* settings_cmd = app.add_subcommand("settings", "Print the settings table as Markdown");
  bench::Options bench_options;
  CLI::App* bench_cmd = bench::AddCommand(app, bench_options);
  server::RekeyOptions rekey_options;
  CLI::App* rekey_cmd = server::AddRekeyCommand(app, rekey_options);
  server::TlsCommandOptions tls_options;
  CLI::App* tls_cmd = server::AddTlsCommand(app, tls_options);

  CLI11_PARSE(app, argc, argv);
  if (settings_cmd->parsed()) {
    std::cout << server::SettingsMarkdown();
    return 0;
  }
  if (bench_cmd->parsed()) return bench::Run(bench_options);
  if (rekey_cmd->parsed()) return server::Rekey(rekey_options);
  if (tls_cmd->parsed()) return server::RunTlsCommand(*tls_cmd, tls_options);
  auto config = server::LoadStartupConfig(setting_flags.Given(), server::ProcessEnvironment());
  if (!config.ok()) {
    std::fprintf(stderr, "wharf: %s\n", config.error().c_str());
    return 2;
  }
  return Serve(config->settings, std::move(config->file));
}
