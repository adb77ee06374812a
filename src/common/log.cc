#include "common/log.h"

#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iterator>
#include <memory>
#include <mutex>

#include "common/thread_name.h"

namespace wharf::log {
namespace {

std::atomic<Level> g_level{Level::kInfo};
std::atomic<Format> g_format{Format::kText};
std::mutex g_writer_mu;  // guards g_writer's replacement, not its use
std::shared_ptr<spdlog::async_logger> g_writer;

constexpr std::string_view kLevelNames[] = {"trace", "debug", "info", "warn", "error", "off"};
constexpr std::string_view kTextLevels[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF"};

std::shared_ptr<spdlog::async_logger> Writer() {
  std::lock_guard lock(g_writer_mu);
  return g_writer;
}

void AppendTimestamp(std::string& out) {
  const auto now = std::chrono::system_clock::now();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  // gmtime_r and snprintf cost more than the rest of a request-log line together; the part up
  // to the seconds changes once a second, so each thread formats it once a second.
  thread_local std::time_t cached_seconds = -1;
  thread_local char cached[32];
  thread_local size_t cached_size = 0;
  if (seconds != cached_seconds) {
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    const int n =
        std::snprintf(cached, sizeof cached, "%04d-%02d-%02dT%02d:%02d:%02d.", utc.tm_year + 1900,
                      utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
    cached_size = static_cast<size_t>(n);
    cached_seconds = seconds;
  }
  out.append(cached, cached_size);
  const int millis = static_cast<int>(ms % 1000);
  const char tail[] = {static_cast<char>('0' + millis / 100),
                       static_cast<char>('0' + millis / 10 % 10),
                       static_cast<char>('0' + millis % 10), 'Z'};
  out.append(tail, sizeof tail);
}

void AppendJsonString(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out.append("\\n");
    } else if (u < 0x20 || u == 0x7f) {
      out.append("\\u00");
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    } else {
      out.push_back(c);  // UTF-8 passes through; invalid bytes are the caller's text as given
    }
  }
  out.push_back('"');
}

// Text values are bare when they are a single simple token, else quoted like JSON strings, so a
// value can never forge another key=value pair or a line break.
void AppendTextValue(std::string& out, std::string_view value) {
  // One pass (find_first_of would call memchr over the set once per character).
  const bool bare = !value.empty() && std::none_of(value.begin(), value.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f || c == ' ' || c == '"' || c == '\\' || c == '=';
  });
  if (bare) {
    out.append(value);
  } else {
    AppendJsonString(out, value);
  }
}

}  // namespace

std::optional<Level> ParseLevel(std::string_view name) {
  for (size_t i = 0; i < std::size(kLevelNames); ++i) {
    if (kLevelNames[i] == name) return static_cast<Level>(i);
  }
  if (name == "warning") return Level::kWarn;
  return std::nullopt;
}

std::string_view LevelName(Level level) { return kLevelNames[static_cast<size_t>(level)]; }

std::optional<Format> ParseFormat(std::string_view name) {
  if (name == "text") return Format::kText;
  if (name == "json") return Format::kJson;
  return std::nullopt;
}

void Configure(Format format, Level level) {
  g_format.store(format);
  g_level.store(level);
  std::lock_guard lock(g_writer_mu);
  if (g_writer) return;
  // One background thread; the queue overruns its oldest lines instead of blocking callers.
  spdlog::init_thread_pool(8192, 1, [] { NameThisThread("wharf-log"); });
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  g_writer = std::make_shared<spdlog::async_logger>("wharf", std::move(sink), spdlog::thread_pool(),
                                                    spdlog::async_overflow_policy::overrun_oldest);
  g_writer->set_pattern("%v");  // lines arrive formatted
  g_writer->set_level(spdlog::level::trace);
  g_writer->flush_on(spdlog::level::trace);
}

void Shutdown() {
  std::shared_ptr<spdlog::async_logger> writer;
  {
    std::lock_guard lock(g_writer_mu);
    writer = std::move(g_writer);
  }
  if (writer) writer->flush();
  spdlog::shutdown();
}

void SetLevel(Level level) { g_level.store(level); }
Level CurrentLevel() { return g_level.load(std::memory_order_relaxed); }
void SetFormat(Format format) { g_format.store(format); }

uint64_t DroppedLines() {
  auto pool = spdlog::thread_pool();
  return pool ? pool->overrun_counter() : 0;
}

std::string Redacted(std::string_view secret) {
  std::string out(secret.substr(0, 4));
  out += "…(" + std::to_string(secret.size()) + ")";
  return out;
}

Line::Line(Level level, std::string_view event)
    : level_(level), enabled_(Enabled(level)), format_(g_format.load(std::memory_order_relaxed)) {
  if (!enabled_) return;
  text_.reserve(256);
  if (format_ == Format::kJson) {
    text_.append("{\"ts\":\"");
    AppendTimestamp(text_);
    text_.append("\",\"level\":\"").append(LevelName(level)).append("\",\"event\":");
    AppendJsonString(text_, event);
  } else {
    AppendTimestamp(text_);
    text_.push_back(' ');
    text_.append(kTextLevels[static_cast<size_t>(level)]);
    text_.push_back(' ');
    AppendTextValue(text_, event);
  }
}

Line::~Line() {
  if (!enabled_) return;
  if (format_ == Format::kJson) text_.push_back('}');
  if (auto writer = Writer()) {
    writer->log(spdlog::level::info, "{}", text_);
  } else {
    text_.push_back('\n');
    std::fwrite(text_.data(), 1, text_.size(), stderr);
  }
}

void Line::Key(std::string_view key) {
  if (format_ == Format::kJson) {
    text_.push_back(',');
    AppendJsonString(text_, key);
    text_.push_back(':');
  } else {
    text_.push_back(' ');
    text_.append(key);
    text_.push_back('=');
  }
}

Line& Line::Str(std::string_view key, std::string_view value) {
  if (!enabled_) return *this;
  Key(key);
  if (format_ == Format::kJson) {
    AppendJsonString(text_, value);
  } else {
    AppendTextValue(text_, value);
  }
  return *this;
}

Line& Line::Int(std::string_view key, int64_t value) {
  if (!enabled_) return *this;
  Key(key);
  text_.append(std::to_string(value));
  return *this;
}

Line& Line::Bool(std::string_view key, bool value) {
  if (!enabled_) return *this;
  Key(key);
  text_.append(value ? "true" : "false");
  return *this;
}

}  // namespace wharf::log
