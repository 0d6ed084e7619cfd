#include "core/settings.hpp"

#include <cmath>
#include <sstream>

#include "core/catalog.hpp"
#include "core/errors.hpp"

namespace eclat {

const char* setting_type_name(SettingType t) {
  switch (t) {
    case SettingType::integer: return "integer";
    case SettingType::number: return "number";
    case SettingType::flag: return "flag";
    case SettingType::text: return "text";
  }
  return "?";
}

namespace {

std::string number_text(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// "a|b|c" -> whether v is one of them.
bool one_of(const char* choices, const std::string& v) {
  std::stringstream in(choices);
  std::string c;
  while (std::getline(in, c, '|'))
    if (c == v) return true;
  return false;
}

// The parsing rules and their messages, shared by the spec check (when a
// value is given) and the typed reads.
int64_t parse_int(const std::string& key, const std::string& text, int64_t min, int64_t max) {
  size_t used = 0;
  int64_t v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (...) {
    used = 0;
  }
  if (used == 0 || used != text.size()) throw BadInput("setting " + key + "=" + text + ": not an integer");
  if (v < min || v > max)
    throw BadInput("setting " + key + "=" + text + ": must be between " + std::to_string(min) + " and " +
                   std::to_string(max));
  return v;
}

double parse_number(const std::string& key, const std::string& text, double min, double max) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (...) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !std::isfinite(v))
    throw BadInput("setting " + key + "=" + text + ": not a number");
  if (v < min || v > max)
    throw BadInput("setting " + key + "=" + text + ": must be between " + number_text(min) + " and " +
                   number_text(max));
  return v;
}

bool parse_flag(const std::string& key, const std::string& text) {
  if (text == "true" || text == "1" || text == "on") return true;
  if (text == "false" || text == "0" || text == "off") return false;
  throw BadInput("setting " + key + "=" + text + ": expected true or false");
}

}  // namespace

void SettingSpec::check(const std::string& value) const {
  switch (type) {
    case SettingType::integer:
      parse_int(key, value, static_cast<int64_t>(min), static_cast<int64_t>(max));
      return;
    case SettingType::number:
      parse_number(key, value, min, max);
      return;
    case SettingType::flag:
      parse_flag(key, value);
      return;
    case SettingType::text:
      if (choices && !one_of(choices, value)) {
        std::string list = choices;
        for (auto& c : list)
          if (c == '|') c = ',';
        throw BadInput("setting " + std::string(key) + "=" + value + ": must be one of " + list);
      }
      return;
  }
}

std::string SettingSpec::default_text() const {
  if (shown_def) return shown_def;
  switch (type) {
    case SettingType::integer: return std::to_string(static_cast<long long>(def));
    case SettingType::number: return number_text(def);
    case SettingType::flag: return def != 0 ? "true" : "false";
    case SettingType::text: return text_def && *text_def ? text_def : "(none)";
  }
  return "";
}

std::string SettingSpec::range_text() const {
  switch (type) {
    case SettingType::integer:
      return "integer " + std::to_string(static_cast<long long>(min)) + ".." +
             std::to_string(static_cast<long long>(max));
    case SettingType::number: return "number " + number_text(min) + ".." + number_text(max);
    case SettingType::flag: return "true|false";
    case SettingType::text: return choices ? choices : "text";
  }
  return "";
}

int64_t IntSetting::operator()(const Settings& s) const { return (*this)(s, static_cast<int64_t>(def)); }
int64_t IntSetting::operator()(const Settings& s, int64_t d) const {
  return s.get_int(key, d, static_cast<int64_t>(min), static_cast<int64_t>(max));
}
double NumberSetting::operator()(const Settings& s) const { return s.get_double(key, def, min, max); }
bool FlagSetting::operator()(const Settings& s) const { return s.get_bool(key, def != 0); }
bool FlagSetting::operator()(const Settings& s, bool d) const { return s.get_bool(key, d); }
std::string TextSetting::operator()(const Settings& s) const {
  std::string v = s.get_string(key, text_def);
  if (s.has(key)) check(v);
  return v;
}

void Settings::put(const std::string& key, const std::string& value) {
  const SettingUse* use = catalog().setting(key);
  if (!use) {
    std::string known;
    for (const auto& [k, _] : catalog().settings()) known += (known.empty() ? "" : ", ") + k;
    throw BadInput("unknown setting \"" + key + "\" (known: " + known + ")");
  }
  use->spec->check(value);
  values_[key] = value;
}

bool Settings::has(const std::string& key) const { return values_.count(key) > 0; }

int64_t Settings::get_int(const std::string& key, int64_t def, int64_t min, int64_t max) const {
  auto it = values_.find(key);
  return it == values_.end() ? def : parse_int(key, it->second, min, max);
}

double Settings::get_double(const std::string& key, double def, double min, double max) const {
  auto it = values_.find(key);
  return it == values_.end() ? def : parse_number(key, it->second, min, max);
}

bool Settings::get_bool(const std::string& key, bool def) const {
  auto it = values_.find(key);
  return it == values_.end() ? def : parse_flag(key, it->second);
}

std::string Settings::get_string(const std::string& key, const std::string& def) const {
  auto it = values_.find(key);
  return it == values_.end() ? def : it->second;
}

}  // namespace eclat
