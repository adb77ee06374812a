// wharf: an Amazon SQS-compatible message queue server.
//   wharf serve [options]   serve SQS on one port (both protocols)
//   wharf settings          print the settings table (docs/configuration.md)
//   wharf --version

#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "common/clock.h"
#include "common/thread_scheduler.h"
#include "net/http_server.h"
#include "server/dispatcher.h"
#include "server/settings.h"
#include "sqs/service.h"
#include "storage/store.h"

namespace {

using namespace wharf;

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

  SystemClock clock;
  ThreadScheduler scheduler(clock);
  storage::MemoryStore store;
  sqs::ServiceOptions sqs_options;
  sqs_options.region = settings.region;
  if (settings.legacy_max_message_size > 0) {
    sqs_options.limits.max_message_size = settings.legacy_max_message_size;
  }
  sqs::SqsService sqs(clock, scheduler, store, sqs_options);
  server::Dispatcher dispatcher(sqs, {settings.account_id, settings.region, settings.base_url});

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
  std::fprintf(stderr,
               "wharf %s listening on http://%s:%u (region %s, account %s)\n"
               "wharf: WARNING: default root credentials %s/%s are in use; replace them for "
               "anything but local use\n"
               "wharf: WARNING: storage is in memory for now: messages do not survive a restart\n",
               WHARF_VERSION, settings.host.c_str(), http.port(), settings.region.c_str(),
               settings.account_id.c_str(), settings.access_key_id.c_str(),
               settings.secret_access_key.c_str());

  int received = 0;
  sigwait(&signals, &received);
  std::fprintf(stderr, "wharf: signal %d, shutting down\n", received);
  http.Stop();
  scheduler.Stop();
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

  CLI11_PARSE(app, argc, argv);
  if (settings_cmd->parsed()) {
    std::cout << server::SettingsMarkdown();
    return 0;
  }
  return Serve(settings);
}
