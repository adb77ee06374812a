#include "server/request_log.h"

#include <array>
#include <atomic>

#include "api/action.h"
#include "auth/credentials.h"
#include "common/log.h"

namespace wharf::server {
namespace {

std::atomic<bool> g_request_log{false};

// Reads the first top-level string member with one of the resource names.
class ResourceFinder final : public api::Visitor {
 public:
  std::string found;

  void String(api::Member m, std::optional<std::string>& value) override {
    if (value) Consider(m, *value);
  }
  void String(api::Member m, std::string& value) override { Consider(m, value); }
  void Int(api::Member, std::optional<int64_t>&) override {}
  void Int(api::Member, int64_t&) override {}
  void Bool(api::Member, bool&) override {}
  void Blob(api::Member, std::optional<std::string>&) override {}
  void StringList(api::Member, std::vector<std::string>&) override {}
  void StringMap(api::Member, api::MapNames, api::StringPairs&) override {}
  void StructList(api::Member, api::ListRef&) override {}
  void StructMap(api::Member, api::MapNames, api::MapRef&) override {}

 private:
  void Consider(api::Member m, const std::string& value) {
    static constexpr std::array<std::string_view, 8> kNames = {
        "QueueUrl",    "QueueName", "TopicArn", "SubscriptionArn",
        "ResourceArn", "KeyId",     "UserName", "RoleName"};
    if (!found.empty() || value.empty()) return;
    for (std::string_view name : kNames) {
      if (m.json != name && m.flat != name) continue;
      if (name == "QueueUrl") {
        const size_t slash = value.find_last_of('/');
        found = slash == std::string::npos ? value : value.substr(slash + 1);
      } else {
        found = value;
      }
      return;
    }
  }
};

std::string_view PrincipalOf(const api::RequestContext& context) {
  if (!context.caller) return {};
  const auth::RequestPrincipal& p = context.caller->principal;
  return p.type == auth::PrincipalType::kService ? std::string_view(p.service)
                                                 : std::string_view(p.arn);
}

}  // namespace

void EnableRequestLog(bool on) { g_request_log.store(on); }
bool RequestLogEnabled() { return g_request_log.load(std::memory_order_relaxed); }

std::string ResourceOf(api::Shape input) {
  ResourceFinder finder;
  input.Describe(finder);
  return std::move(finder.found);
}

void LogRequest(const api::RequestContext& context, std::string_view resource,
                const RequestOutcome& outcome) {
  if (!RequestLogEnabled() || !log::Enabled(log::Level::kInfo)) return;
  log::Line line(log::Level::kInfo, "request");
  line.Str("request_id", context.request_id);
  if (outcome.action) line.Str("action", api::InfoOf(*outcome.action).name);
  if (!resource.empty()) line.Str("resource", resource);
  line.Int("status", outcome.status);
  if (outcome.error) line.Str("error", api::InfoOf(*outcome.error).query_code);
  line.Int("latency_us",
           std::chrono::duration_cast<std::chrono::microseconds>(outcome.latency).count());
  if (std::string_view principal = PrincipalOf(context); !principal.empty()) {
    line.Str("principal", principal);
  }
  if (!context.access_key_id.empty()) line.Str("access_key_id", context.access_key_id);
  if (!context.source_ip.empty()) line.Str("source_ip", context.source_ip);
}

}  // namespace wharf::server
