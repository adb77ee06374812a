#pragma once

// The rows behind settings.h: what each setting accepts and which field of Settings it sets.
// Internal to server/ (settings.cc resolves and documents them; settings_table.cc declares them).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/settings.h"

namespace wharf::server {

enum class SettingKind : uint8_t {
  kText,     // any text, or what `check` accepts
  kInteger,  // a whole number in min..max
  kChoice,   // one of `choices`
};

struct SettingRow {
  std::string_view name;  // the wharf.toml key; the flag and variable are derived from it
  SettingKind kind = SettingKind::kText;
  int64_t min = 0;  // kInteger
  int64_t max = 0;
  std::vector<std::string_view> choices;  // kChoice
  // kText: what is wrong with a value ("" when nothing), and the rule in a few words for the
  // documentation. Null: any text.
  std::string (*check)(std::string_view value) = nullptr;
  std::string_view rule;
  bool in_file = true;
  std::string_view description;
  // Stores an accepted value (kInteger: `number`; otherwise `text`) into its field.
  void (*assign)(Settings& settings, std::string_view text, int64_t number) = nullptr;
  // The field's value as text (the default, for help and docs).
  std::string (*read)(const Settings& settings) = nullptr;
};

const std::vector<SettingRow>& SettingRows();

// "--data-dir" and "WHARF_DATA_DIR" for "data_dir".
std::string FlagOf(std::string_view name);
std::string EnvOf(std::string_view name);

}  // namespace wharf::server
