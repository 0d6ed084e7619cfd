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

}  // namespace

void SettingSpec::check(const std::string& value) const {
  // The same rules and messages as Settings::get_*, which read the value.
  switch (type) {
    case SettingType::integer: {
      size_t used = 0;
      long long v = 0;
      try {
        v = std::stoll(value, &used);
      } catch (...) {
        used = 0;
      }
      if (used == 0 || used != value.size())
        throw BadInput("setting " + std::string(key) + "=" + value + ": not an integer");
      if (v < min || v > max)
        throw BadInput("setting " + std::string(key) + "=" + value + ": must be between " +
                       std::to_string(static_cast<long long>(min)) + " and " +
                       std::to_string(static_cast<long long>(max)));
      return;
    }
    case SettingType::number: {
      size_t used = 0;
      double v = 0;
      try {
        v = std::stod(value, &used);
      } catch (...) {
        used = 0;
      }
      if (used == 0 || used != value.size() || !std::isfinite(v))
        throw BadInput("setting " + std::string(key) + "=" + value + ": not a number");
      if (v < min || v > max)
        throw BadInput("setting " + std::string(key) + "=" + value + ": must be between " + number_text(min) +
                       " and " + number_text(max));
      return;
    }
    case SettingType::flag:
      if (value == "true" || value == "1" || value == "on" || value == "false" || value == "0" || value == "off")
        return;
      throw BadInput("setting " + std::string(key) + "=" + value + ": expected true or false");
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
  if (it == values_.end()) return def;
  size_t used = 0;
  int64_t v = 0;
  try {
    v = std::stoll(it->second, &used);
  } catch (...) {
    used = 0;
  }
  if (used == 0 || used != it->second.size())
    throw BadInput("setting " + key + "=" + it->second + ": not an integer");
  if (v < min || v > max)
    throw BadInput("setting " + key + "=" + it->second + ": must be between " + std::to_string(min) + " and " +
                   std::to_string(max));
  return v;
}

double Settings::get_double(const std::string& key, double def, double min, double max) const {
  auto it = values_.find(key);
  if (it == values_.end()) return def;
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(it->second, &used);
  } catch (...) {
    used = 0;
  }
  if (used == 0 || used != it->second.size() || !std::isfinite(v))
    throw BadInput("setting " + key + "=" + it->second + ": not a number");
  if (v < min || v > max)
    throw BadInput("setting " + key + "=" + it->second + ": must be between " + number_text(min) + " and " +
                   number_text(max));
  return v;
}

bool Settings::get_bool(const std::string& key, bool def) const {
  auto it = values_.find(key);
  if (it == values_.end()) return def;
  if (it->second == "true" || it->second == "1" || it->second == "on") return true;
  if (it->second == "false" || it->second == "0" || it->second == "off") return false;
  throw BadInput("setting " + key + "=" + it->second + ": expected true or false");
}

std::string Settings::get_string(const std::string& key, const std::string& def) const {
  auto it = values_.find(key);
  return it == values_.end() ? def : it->second;
}

}  // namespace eclat
