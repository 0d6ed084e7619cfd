// Settings (--set KEY=VALUE, or "set": {...} in a scenario). Each setting is
// declared once, where it is used, as a typed constant that carries its key,
// type, default, range and one-line doc:
//
//   constexpr NumberSetting kDelayMs{"delay-ms", 100, 0.1, 60000, "ms added to what the targets send"};
//   ... kDelayMs(cfg.settings) ...
//
// and listed in its owner's registration (core/catalog.hpp), so --set refuses
// a key nothing registered, --help and `eclat list settings` print the docs,
// and a value is checked against its range as soon as it is given. The
// constants are constexpr (constant-initialised): a registration in another
// file may point at one whatever the order of static initialisation.
#pragma once
#include <cstdint>
#include <map>
#include <string>

namespace eclat {

enum class SettingType { integer, number, flag, text };
const char* setting_type_name(SettingType t);

struct SettingSpec {
  const char* key;
  SettingType type;
  const char* doc;
  double def = 0;                   // integer, number, flag (0 / 1)
  double min = 0, max = 0;          // integer, number
  const char* text_def = "";        // text
  const char* choices = nullptr;    // text: "a|b|c"; null: any text (its owner checks it)
  const char* shown_def = nullptr;  // when the default depends on the run, say how

  // BadInput naming the key and the value when `value` does not fit.
  void check(const std::string& value) const;
  // The default as --help shows it.
  std::string default_text() const;
  // "integer 1..1000", "number 0.1..60000", "true|false", "text", "partial|error".
  std::string range_text() const;
};

class Settings;

struct IntSetting : SettingSpec {
  constexpr IntSetting(const char* key, int64_t def, int64_t min, int64_t max, const char* doc,
                       const char* shown_def = nullptr)
      : SettingSpec{key, SettingType::integer, doc, double(def), double(min), double(max), "", nullptr, shown_def} {}
  int64_t operator()(const Settings& s) const;
  int64_t operator()(const Settings& s, int64_t def) const;  // a default that depends on the run
};

struct NumberSetting : SettingSpec {
  constexpr NumberSetting(const char* key, double def, double min, double max, const char* doc,
                          const char* shown_def = nullptr)
      : SettingSpec{key, SettingType::number, doc, def, min, max, "", nullptr, shown_def} {}
  double operator()(const Settings& s) const;
};

struct FlagSetting : SettingSpec {
  constexpr FlagSetting(const char* key, bool def, const char* doc, const char* shown_def = nullptr)
      : SettingSpec{key, SettingType::flag, doc, def ? 1.0 : 0.0, 0, 1, "", nullptr, shown_def} {}
  bool operator()(const Settings& s) const;
  bool operator()(const Settings& s, bool def) const;
};

struct TextSetting : SettingSpec {
  constexpr TextSetting(const char* key, const char* def, const char* doc, const char* choices = nullptr,
                        const char* shown_def = nullptr)
      : SettingSpec{key, SettingType::text, doc, 0, 0, 0, def, choices, shown_def} {}
  std::string operator()(const Settings& s) const;
};

// The values given for a run, by key. put() refuses a key no registration
// declares and a value its spec refuses; the typed settings above read them.
class Settings {
 public:
  void put(const std::string& key, const std::string& value);
  bool has(const std::string& key) const;
  int64_t get_int(const std::string& key, int64_t def, int64_t min, int64_t max) const;
  double get_double(const std::string& key, double def, double min, double max) const;
  bool get_bool(const std::string& key, bool def) const;
  std::string get_string(const std::string& key, const std::string& def) const;
  const std::map<std::string, std::string>& all() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace eclat
