#pragma once

// Wharf's log: one line per event, as text (`ts level event key=value ...`) or as JSON lines
// (`{"ts":...,"level":...,"event":...,"key":value,...}`), on stderr. Lines are formatted by the
// caller's thread and written by spdlog's background thread, so a log call never waits for the
// terminal or journald; when that thread falls behind by more than its queue (8192 lines), the
// oldest queued lines are dropped rather than stalling request threads (the count is in
// DroppedLines()).
//
//   log::Line(log::Level::kInfo, "request").Str("action", "SendMessage").Int("status", 200);
//
// The line is written when the Line object goes out of scope, and only if its level is enabled,
// in which case nothing is formatted at all. Values are escaped for their format: quotes,
// backslashes and control characters never break a line. Never pass secrets: fields are written
// as given (Redacted() masks what must be mentioned but not shown).
//
// Thread-safety: every function may be called from any thread; the level can change at run time
// (SetLevel).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wharf::log {

enum class Level : uint8_t { kTrace, kDebug, kInfo, kWarn, kError, kOff };
enum class Format : uint8_t { kText, kJson };

std::optional<Level> ParseLevel(std::string_view name);  // trace, debug, info, warn, error, off
std::string_view LevelName(Level level);
std::optional<Format> ParseFormat(std::string_view name);  // text, json

// Starts the writer; before it, lines go straight to stderr (start-up errors still show).
void Configure(Format format, Level level);
// Flushes and stops the writer (at shutdown).
void Shutdown();

void SetLevel(Level level);
Level CurrentLevel();
void SetFormat(Format format);  // Configure sets it too; tests switch it alone
inline bool Enabled(Level level) { return level >= CurrentLevel() && level != Level::kOff; }
uint64_t DroppedLines();

// "AKIA…(20)": the first four characters and the length, for keys that must be named but not
// shown.
std::string Redacted(std::string_view secret);

class Line {
 public:
  Line(Level level, std::string_view event);
  ~Line();
  Line(const Line&) = delete;
  Line& operator=(const Line&) = delete;

  Line& Str(std::string_view key, std::string_view value);
  Line& Int(std::string_view key, int64_t value);
  Line& Bool(std::string_view key, bool value);

  // The formatted line so far (tests).
  const std::string& text() const { return text_; }

 private:
  void Key(std::string_view key);

  Level level_;
  bool enabled_;
  Format format_;
  std::string text_;
};

}  // namespace wharf::log
