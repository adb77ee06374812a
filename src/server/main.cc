// wharf: an Amazon SQS-compatible message queue server.
//   wharf serve [options]   serve SQS on one port (both protocols)
//   wharf bench [options]   measure an SQS endpoint (src/bench)
//   wharf settings          print the settings table (docs/configuration.md)
//   wharf --version

#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include "auth/authorizer.h"
#include "auth/credentials.h"
#include "bench/bench.h"
#include "common/clock.h"
#include "common/offset_clock.h"
#include "common/sealing.h"
#include "common/thread_scheduler.h"
#include "iam/identity_store.h"
#include "iam/records.h"
#include "iam/service.h"
#include "iam/session_store.h"
#include "iam/store_journal.h"
#include "iam/workload_credentials.h"
#include "net/http_server.h"
#include "server/config_file.h"
#include "server/dispatcher.h"
#include "server/settings.h"
#include "sns/delivery_thread.h"
#include "sns/service.h"
#include "sns/signing_key.h"
#include "sqs/service.h"
#include "storage/rocks_store.h"
#include "storage/store.h"

namespace {

using namespace wharf;

// The root key that seals secrets at rest (security.md §4.6): WHARF_ROOT_KEY, else the key file
// (created with a fresh random key on first start).
Result<Sealer, std::string> LoadOrCreateRootKey(const server::Settings& settings) {
  if (const char* hex = std::getenv("WHARF_ROOT_KEY"); hex != nullptr && *hex != '\0') {
    return LoadRootKey(RootKeyFromEnvironment{"WHARF_ROOT_KEY"});
  }
  std::filesystem::path data = std::filesystem::absolute(settings.data_dir).lexically_normal();
  if (data.filename().empty()) data = data.parent_path();  // "data/"
  RootKeyFile file;
  file.path = settings.root_key_file.empty() ? (data.parent_path() / "wharf-root.key").string()
                                             : settings.root_key_file;
  file.data_dir = settings.data_dir;
  if (!std::filesystem::exists(file.path)) {
    auto created = CreateKeyFile(file);
    if (created.ok()) {
      std::fprintf(stderr,
                   "wharf: created root key %s (keep it, and keep it apart from backups "
                   "of the data directory)\n",
                   file.path.c_str());
    }
    return created;
  }
  return LoadRootKey(file);
}

int Serve(const server::Settings& settings) {
  // Block the stop signals in every thread; the main thread waits for them with sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::error_code ec;
  std::filesystem::create_directories(settings.data_dir, ec);
  if (ec) {
    std::fprintf(stderr, "wharf: cannot create data directory %s: %s\n", settings.data_dir.c_str(),
                 ec.message().c_str());
    return 1;
  }

  if (settings.storage != "embedded" && settings.storage != "memory") {
    std::fprintf(stderr, "wharf: --storage must be embedded or memory\n");
    return 2;
  }
  if (settings.durability != "strict" && settings.durability != "relaxed") {
    std::fprintf(stderr, "wharf: --durability must be strict or relaxed\n");
    return 2;
  }
  SystemClock clock;
  ThreadScheduler scheduler(clock);
  std::unique_ptr<storage::Store> store;
  if (settings.storage == "memory") {
    store = std::make_unique<storage::MemoryStore>();
  } else {
    storage::RocksOptions rocks;
    rocks.directory = (std::filesystem::path(settings.data_dir) / "queues").string();
    rocks.durability = settings.durability == "strict" ? storage::Durability::kStrict
                                                       : storage::Durability::kRelaxed;
    rocks.relaxed_sync_interval = std::chrono::milliseconds(settings.relaxed_sync_ms);
    auto opened = storage::RocksStore::Open(rocks);
    if (!opened.ok()) {
      std::fprintf(stderr, "wharf: cannot open the store: %s\n", opened.error().detail.c_str());
      return 1;
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
  if (settings.legacy_max_message_size > 0) {
    sqs_options.limits.max_message_size = settings.legacy_max_message_size;
  }
  // IAM and STS (security.md §3). Identities are keyed objects in the store, access-key
  // secrets sealed under the root key; in memory mode nothing is kept.
  iam::NullJournal no_journal;
  std::unique_ptr<iam::StoreJournal> store_journal;
  std::optional<Sealer> session_tokens;  // STS session tokens survive restarts (sealed)
  std::optional<Sealer> sns_signing;     // the SNS envelope signing key, sealed at rest
  if (settings.storage != "memory") {
    auto root = LoadOrCreateRootKey(settings);
    if (!root.ok()) {
      std::fprintf(stderr, "wharf: %s\n", root.error().c_str());
      return 1;
    }
    store_journal = std::make_unique<iam::StoreJournal>(*store, root->Derive("iam-secrets v1"));
    session_tokens.emplace(root->Derive("sts-tokens v1"));
    sns_signing.emplace(root->Derive("sns-signing v1"));
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
  if (settings.test_mode != "on" && settings.test_mode != "off") {
    std::fprintf(stderr, "wharf: --test-mode must be on or off\n");
    return 2;
  }
  // Test mode: STS sessions run on a clock that tests can move forward.
  OffsetClock session_clock(clock);
  iam::SessionStore sts_sessions(session_clock, session_tokens ? &*session_tokens : nullptr);
  // Every call of every service is authorized (security.md §2): account roots, IAM users' and
  // role sessions' policies from the identity store, queue policies.
  auth::AuditSink audit;
  if (settings.audit_log == "on") {
    audit = [](const auth::AuditRecord& record) {
      const std::string line = auth::FormatAuditRecord(record) + "\n";
      std::fwrite(line.data(), 1, line.size(), stderr);
    };
  } else if (settings.audit_log != "off") {
    std::fprintf(stderr, "wharf: --audit-log must be on or off\n");
    return 2;
  }
  const auth::Authorizer authorizer(&identity_store, clock, std::move(audit));
  sqs_options.authorizer = &authorizer;
  sqs::SqsService sqs(clock, scheduler, *store, sqs_options);
  const auto recovery_start = std::chrono::steady_clock::now();
  auto recovered = sqs.Recover();
  if (!recovered.ok()) {
    std::fprintf(stderr, "wharf: cannot recover the store: %s\n", recovered.error().c_str());
    return 1;
  }
  // SNS (sns-fanout.md): topics and subscriptions, and the deliveries an earlier run left in
  // the outbox, resumed once the queues they go to are back.
  auto signing_key = sns::LoadOrCreateSigningKey(*store, sns_signing ? &*sns_signing : nullptr);
  if (!signing_key.ok()) {
    std::fprintf(stderr, "wharf: %s\n", signing_key.error().c_str());
    return 1;
  }
  sns::DeliveryThread sns_delivery_thread;
  sns::ServiceOptions sns_options;
  sns_options.region = settings.region;
  sns_options.authorizer = &authorizer;
  sns_options.public_endpoint = settings.base_url;
  sns_options.delivery.executor = [&sns_delivery_thread](std::function<void()> task) {
    sns_delivery_thread.Post(std::move(task));
  };
  sns_options.delivery.log = [](std::string_view line) {
    std::fprintf(stderr, "wharf: %.*s\n", static_cast<int>(line.size()), line.data());
  };
  sns::SnsService sns(clock, scheduler, *store, sqs, std::move(signing_key).value(),
                      std::move(sns_options));
  auto sns_recovered = sns.Recover();
  if (!sns_recovered.ok()) {
    std::fprintf(stderr, "wharf: cannot recover SNS: %s\n", sns_recovered.error().c_str());
    return 1;
  }
  const auto recovery_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - recovery_start)
                               .count();
  if (settings.auth != "on" && settings.auth != "off") {
    std::fprintf(stderr, "wharf: --auth must be on or off\n");
    return 2;
  }
  auth::StaticCredentialStore credentials;
  credentials.AddRootKey(settings.access_key_id, settings.secret_access_key, settings.account_id);
  size_t extra_accounts = 0;
  std::vector<iam::WorkloadBinding> workloads;
  if (!settings.config_file.empty()) {
    auto config = server::LoadConfigFile(settings.config_file);
    if (!config.ok()) {
      std::fprintf(stderr, "wharf: %s\n", config.error().c_str());
      return 2;
    }
    for (server::WorkloadConfig& w : config->workloads) {
      iam::WorkloadBinding binding;
      binding.token = std::move(w.token);
      binding.role_arn = std::move(w.role_arn);
      binding.duration_seconds = w.duration_seconds;
      workloads.push_back(std::move(binding));
    }
    std::vector<server::AccountConfig>& accounts = config->accounts;
    for (auto& account : accounts) {
      if (account.access_key_id == settings.access_key_id) {
        std::fprintf(stderr, "wharf: %s: access key %s is already the default account's\n",
                     settings.config_file.c_str(), account.access_key_id.c_str());
        return 2;
      }
      credentials.AddRootKey(std::move(account.access_key_id), std::move(account.secret_access_key),
                             std::move(account.id));
    }
    extra_accounts = accounts.size();
  }
  auth::ChainedCredentialStore all_credentials({&credentials, &identity_store, &sts_sessions});
  iam::IdentityService identity(identity_store, sts_sessions, authorizer, clock);

  server::DispatcherOptions dispatch_options;
  dispatch_options.account_id = settings.account_id;
  dispatch_options.region = settings.region;
  dispatch_options.base_url = settings.base_url;
  dispatch_options.identity = &identity;
  dispatch_options.sns = &sns;
  if (settings.test_mode == "on") {
    dispatch_options.test_clock = &session_clock;
    std::fprintf(stderr,
                 "wharf: WARNING: test mode: POST /_wharf/test/clock moves the clock of "
                 "STS sessions; never use this in production\n");
  }
  const iam::WorkloadCredentials workload_credentials(identity_store, sts_sessions, clock,
                                                      std::move(workloads));
  dispatch_options.workload_credentials = &workload_credentials;
  if (store_journal) {
    // IAM answers wait until their changes are synced (acknowledged ⇒ durable).
    dispatch_options.identity_gate = [&store, journal = store_journal.get()](auto release) {
      store->WhenDurable(
          journal->latest_ticket(),
          [release = std::move(release)](storage::StorageStatus status) { release(status.ok()); });
    };
  }
  if (settings.auth == "on") {
    dispatch_options.credentials = &all_credentials;
    dispatch_options.clock = &clock;
  }
  server::Dispatcher dispatcher(sqs, std::move(dispatch_options));

  net::ServerOptions net_options;
  net_options.address = settings.host;
  net_options.port = settings.port;
  net_options.io_threads = settings.io_threads;
  net_options.max_body_bytes = static_cast<size_t>(settings.max_request_bytes);
  net::HttpServer http(net_options,
                       [&dispatcher](net::HttpRequest&& request, net::Responder respond) {
                         dispatcher.Handle(std::move(request), std::move(respond));
                       });
  if (auto started = http.Start(); !started.ok()) {
    std::fprintf(stderr, "wharf: cannot listen on %s:%u: %s\n", settings.host.c_str(),
                 settings.port, started.error().message.c_str());
    return 1;
  }
  std::fprintf(
      stderr,
      "wharf %s listening on http://%s:%u (region %s, account %s)\n"
      "wharf: WARNING: default root credentials %s/%s are in use; replace them for "
      "anything but local use\n"
      "wharf: signature verification %s; %zu further account(s) from the configuration\n"
      "wharf: storage %s (%s durability): recovered %llu queues and %llu messages in %lld ms\n"
      "wharf: SNS: %llu publication(s) left to deliver from the previous run\n",
      WHARF_VERSION, settings.host.c_str(), http.port(), settings.region.c_str(),
      settings.account_id.c_str(), settings.access_key_id.c_str(),
      settings.secret_access_key.c_str(),
      settings.auth == "on" ? "on" : "OFF (--auth off: development only)", extra_accounts,
      settings.storage.c_str(), settings.durability.c_str(),
      static_cast<unsigned long long>(recovered->queues),
      static_cast<unsigned long long>(recovered->messages), static_cast<long long>(recovery_ms),
      static_cast<unsigned long long>(sns_recovered->pending_publications));

  int received = 0;
  sigwait(&signals, &received);
  std::fprintf(stderr, "wharf: signal %d, shutting down\n", received);
  http.Stop();
  scheduler.Stop();
  sns_delivery_thread.Stop();
  if (auto* rocks = dynamic_cast<storage::RocksStore*>(store.get())) rocks->Close();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Wharf: an Amazon SQS-compatible message queue server"};
  app.set_version_flag("--version", std::string("wharf ") + WHARF_VERSION);
  app.require_subcommand(1);

  server::Settings settings;
  CLI::App* serve =
      app.add_subcommand("serve", "Serve SQS (AWS JSON 1.0 and AWS Query) on one port");
  server::AddSettings(*serve, settings);
  CLI::App* settings_cmd = app.add_subcommand("settings", "Print the settings table as Markdown");
  bench::Options bench_options;
  CLI::App* bench_cmd = bench::AddCommand(app, bench_options);

  CLI11_PARSE(app, argc, argv);
  if (settings_cmd->parsed()) {
    std::cout << server::SettingsMarkdown();
    return 0;
  }
  if (bench_cmd->parsed()) return bench::Run(bench_options);
  return Serve(settings);
}
