#include "core/catalog.hpp"

#include <cstring>
#include <stdexcept>

namespace eclat {

const char* part_kind_name(PartKind k) {
  switch (k) {
    case PartKind::framework: return "framework";
    case PartKind::system: return "system";
    case PartKind::workload: return "workload";
    case PartKind::nemesis: return "nemesis";
    case PartKind::checker: return "checker";
  }
  return "?";
}

Catalog& catalog() {
  static Catalog c;
  return c;
}

namespace {
bool same_text(const char* a, const char* b) { return (!a && !b) || (a && b && std::strcmp(a, b) == 0); }
// Two declarations of one key are the same setting only if they say the same.
bool same_spec(const SettingSpec& a, const SettingSpec& b) {
  return a.type == b.type && a.def == b.def && a.min == b.min && a.max == b.max && same_text(a.doc, b.doc) &&
         same_text(a.text_def, b.text_def) && same_text(a.choices, b.choices) && same_text(a.shown_def, b.shown_def);
}
}  // namespace

void Catalog::add_settings(PartKind kind, const std::string& owner, const std::vector<const SettingSpec*>& specs) {
  for (const SettingSpec* s : specs) {
    SettingUse& use = settings_[s->key];
    if (use.spec && use.spec != s && !same_spec(*use.spec, *s))
      throw std::logic_error(std::string("setting \"") + s->key + "\" declared twice with different specs (by " +
                             part_kind_name(use.owners.front().first) + " " + use.owners.front().second + " and " +
                             part_kind_name(kind) + " " + owner + ")");
    if (!use.spec) use.spec = s;
    use.owners.emplace_back(kind, owner);
  }
}

void Catalog::add(PartKind kind, PartInfo info) {
  const auto key = std::make_pair(kind, info.name);
  if (parts_.count(key))
    throw std::logic_error(std::string("two registrations of the ") + part_kind_name(kind) + " \"" + info.name + "\"");
  add_settings(kind, info.name, info.settings);
  parts_.emplace(key, std::move(info));
}

void Catalog::add_framework_settings(const std::string& owner, std::vector<const SettingSpec*> specs) {
  add_settings(PartKind::framework, owner, specs);
  PartInfo& fw = parts_[{PartKind::framework, owner}];
  fw.name = owner;
  fw.settings.insert(fw.settings.end(), specs.begin(), specs.end());
}

const PartInfo* Catalog::find(PartKind kind, const std::string& name) const {
  auto it = parts_.find({kind, name});
  return it == parts_.end() ? nullptr : &it->second;
}

std::vector<const PartInfo*> Catalog::all(PartKind kind) const {
  std::vector<const PartInfo*> out;
  for (const auto& [k, info] : parts_)
    if (k.first == kind) out.push_back(&info);
  return out;
}

const SettingUse* Catalog::setting(const std::string& key) const {
  auto it = settings_.find(key);
  return it == settings_.end() ? nullptr : &it->second;
}

bool framework_settings(const std::string& owner, std::vector<const SettingSpec*> specs) {
  catalog().add_framework_settings(owner, std::move(specs));
  return true;
}

}  // namespace eclat
