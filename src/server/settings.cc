#include "server/settings.h"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdlib>
#include <set>

#include "server/settings_table.h"

namespace wharf::server {
namespace {

std::string BoundsOf(const SettingRow& row) {
  switch (row.kind) {
    case SettingKind::kInteger:
      return std::to_string(row.min) + ".." + std::to_string(row.max);
    case SettingKind::kChoice: {
      std::string out;
      for (std::string_view choice : row.choices) {
        if (!out.empty()) out += "|";
        out += choice;
      }
      return out;
    }
    case SettingKind::kText:
      return std::string(row.rule);
  }
  return {};
}

// Checks `text` against the row's bounds and stores it; the problem otherwise, without the
// setting's name (the caller says where the value came from).
std::string Apply(const SettingRow& row, std::string_view text, Settings& settings) {
  switch (row.kind) {
    case SettingKind::kInteger: {
      int64_t number = 0;
      const char* end = text.data() + text.size();
      auto [ptr, ec] = std::from_chars(text.data(), end, number);
      if (text.empty() || ec != std::errc() || ptr != end) {
        return "'" + std::string(text) + "' is not a whole number (" + BoundsOf(row) + ")";
      }
      if (number < row.min || number > row.max) {
        return std::string(text) + " is not in " + BoundsOf(row);
      }
      row.assign(settings, text, number);
      return {};
    }
    case SettingKind::kChoice: {
      for (std::string_view choice : row.choices) {
        if (text == choice) {
          row.assign(settings, text, 0);
          return {};
        }
      }
      std::string choices;
      for (std::string_view choice : row.choices) {
        choices += (choices.empty() ? "" : ", ") + std::string(choice);
      }
      return "'" + std::string(text) + "' is not one of " + choices;
    }
    case SettingKind::kText:
      if (row.check != nullptr) {
        if (std::string problem = row.check(text); !problem.empty()) {
          return "'" + std::string(text) + "' " + problem;
        }
      }
      row.assign(settings, text, 0);
      return {};
  }
  return "unknown kind of setting";
}

// Puts the text of a file value into `text` if its TOML type is the one the setting takes:
// integers for numbers, strings for everything else (so `port = "9324"` and `auth = true` are
// mistakes). The problem otherwise.
std::string FileText(const SettingRow& row, const FileSetting& value, std::string& text) {
  if (row.kind == SettingKind::kInteger) {
    if (value.type != FileSetting::Type::kInteger) {
      return "must be an integer (" + BoundsOf(row) + "), not " + value.type_name;
    }
    text = std::to_string(value.integer);
    return {};
  }
  if (value.type != FileSetting::Type::kString) {
    std::string hint = row.kind == SettingKind::kChoice ? " (\"" + BoundsOf(row) + "\")" : "";
    return "must be a string" + hint + ", not " + value.type_name;
  }
  text = value.text;
  return {};
}

}  // namespace

std::vector<SettingInfo> DescribeSettings() {
  static const Settings defaults;
  std::vector<SettingInfo> out;
  for (const SettingRow& row : SettingRows()) {
    out.push_back({std::string(row.name), FlagOf(row.name), EnvOf(row.name), row.read(defaults),
                   BoundsOf(row), std::string(row.description), row.in_file});
  }
  return out;
}

EnvLookup ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<Settings, std::string> ResolveSettings(const SettingSources& sources) {
  std::map<std::string_view, const FileSetting*> file;
  for (const FileSetting& value : sources.file) {
    const SettingRow* row = nullptr;
    for (const SettingRow& candidate : SettingRows()) {
      if (candidate.name == value.key) row = &candidate;
    }
    if (row == nullptr) return sources.file_name + ": unknown setting '" + value.key + "'";
    if (!row->in_file) {
      return sources.file_name + ": '" + value.key +
             "' cannot be set in the configuration file (it names the file)";
    }
    file[row->name] = &value;
  }
  Settings settings;
  for (const SettingRow& row : SettingRows()) {
    const std::string name(row.name);
    std::string where;
    std::string text;
    if (auto flag = sources.flags.find(name); flag != sources.flags.end()) {
      where = FlagOf(row.name);
      text = flag->second;
    } else if (std::optional<std::string> env =
                   sources.env ? sources.env(EnvOf(row.name)) : std::nullopt;
               env && !env->empty()) {
      // An empty variable counts as unset, as it always has (CLI11's rule): `WHARF_X= wharf`
      // does not override the file.
      where = EnvOf(row.name);
      text = *env;
    } else if (auto in_file = file.find(row.name); in_file != file.end()) {
      where = sources.file_name + ": " + name;
      if (std::string problem = FileText(row, *in_file->second, text); !problem.empty()) {
        return where + ": " + problem;
      }
    } else {
      continue;  // the default, which the unit tests check against the bounds
    }
    if (std::string problem = Apply(row, text, settings); !problem.empty()) {
      return where + ": " + problem;
    }
  }
  return settings;
}

void SettingFlags::AddTo(CLI::App& app) {
  static const Settings defaults;
  for (const SettingRow& row : SettingRows()) {
    const std::string name(row.name);
    std::string help = std::string(row.description) + " (" + EnvOf(row.name);
    if (row.in_file) help += "; wharf.toml: " + name;
    help += ")";
    CLI::Option* option = app.add_option(FlagOf(row.name), values_[name], help);
    // The bounds where CLI11 shows the type: "--port 1..65535", "--durability strict|relaxed".
    option->type_name(row.kind == SettingKind::kText ? "TEXT" : BoundsOf(row));
    if (std::string value = row.read(defaults); !value.empty()) option->default_str(value);
    options_[name] = option;
  }
}

std::map<std::string, std::string> SettingFlags::Given() const {
  std::map<std::string, std::string> given;
  for (const auto& [name, option] : options_) {
    if (option->count() > 0) given[name] = values_.at(name);
  }
  return given;
}

std::string SettingsMarkdown() {
  std::string md =
      "# Configuration\n\n"
      "Generated by `wharf settings` from the settings table in `src/server/settings_table.cc`; "
      "do not edit by hand.\n\n"
      "Every setting can be given as a command-line flag, an environment variable, or a key of "
      "the configuration file (`--config wharf.toml` or `WHARF_CONFIG`). Precedence: flag > "
      "environment variable > wharf.toml > default. An empty environment variable counts as "
      "unset.\n\n"
      "Each value is checked against the bounds below whatever its source, and `wharf serve` "
      "refuses to start on a bad one with a message naming the setting and where the value came "
      "from (`--port: 70000 is not in 1..65535`, `WHARF_DURABILITY: 'fast' is not one of "
      "strict, relaxed`, `wharf.toml: port: 70000 is not in 1..65535`).\n\n"
      "## wharf.toml\n\n"
      "Settings are top-level keys, named as in the first column: integers for numbers, strings "
      "for everything else (switches are `\"on\"` or `\"off\"`). Keys that are not settings or "
      "tables Wharf knows are refused, so a typo does not go unnoticed. The tables "
      "`[[accounts]]`, `[[workload_credentials]]` and the provisioning tables `[[queues]]`, "
      "`[[topics]]`, `[[subscriptions]]` and `[[users]]` are described in "
      "docs/provisioning.md. TOML puts top-level keys before the first table:\n\n"
      "```toml\n"
      "port = 9324\n"
      "data_dir = \"/var/lib/wharf\"\n"
      "durability = \"relaxed\"\n"
      "relaxed_sync_ms = 50\n"
      "auto_create_queues = \"on\"\n"
      "\n"
      "[[queues]]\n"
      "name = \"orders\"\n"
      "```\n\n"
      "## Settings\n\n"
      "| setting (wharf.toml) | flag | environment | default | bounds | meaning |\n"
      "| --- | --- | --- | --- | --- | --- |\n";
  for (const SettingInfo& s : DescribeSettings()) {
    const std::string key = s.in_file ? "`" + s.name + "`" : "(not in the file)";
    const std::string bounds = s.bounds.empty() ? "any" : "`" + s.bounds + "`";
    md += "| " + key + " | `" + s.flag + "` | `" + s.env + "` | `" + s.default_value + "` | " +
          bounds + " | " + s.description + " |\n";
  }
  return md;
}

}  // namespace wharf::server
