#include "checker/set_history.hpp"

#include <algorithm>
#include <string_view>

#include "history/fast_parse.hpp"
#include "history/mapped_file.hpp"
#include "history/pairing.hpp"
#include "core/errors.hpp"
#include "core/json_input.hpp"
#include "core/log.hpp"

namespace eclat {

uint32_t ElementTable::of_integer(int64_t v) {
  if (v >= 0 && static_cast<size_t>(v) >= dense_.size()) {
    // Grow the vector only as far as the elements seen so far justify (a
    // few bytes per element): one huge id in a tiny history (268435455)
    // must not cost a gigabyte; it stays in the map.
    const size_t budget = std::max<size_t>(kDenseFloor, 8 * (integers_.size() + 1));
    const size_t want = std::max<size_t>(static_cast<size_t>(v) + 1, std::min(budget, dense_.size() * 2));
    if (want <= budget) {
      dense_.resize(want, 0);
      // Ids the map gave values now inside the vector move there, so that a
      // value keeps one id whichever structure holds it.
      for (auto it = sparse_.begin(); it != sparse_.end();) {
        if (it->first >= 0 && static_cast<size_t>(it->first) < want) {
          dense_[static_cast<size_t>(it->first)] = it->second + 1;
          it = sparse_.erase(it);
        } else {
          ++it;
        }
      }
    }
  }
  if (v >= 0 && static_cast<size_t>(v) < dense_.size()) {
    uint32_t& slot = dense_[static_cast<size_t>(v)];
    if (slot == 0) {
      integers_.push_back(v);
      text_of_.push_back(-1);
      slot = static_cast<uint32_t>(integers_.size());
    }
    return slot - 1;
  }
  auto [it, fresh] = sparse_.try_emplace(v, static_cast<uint32_t>(integers_.size()));
  if (fresh) {
    integers_.push_back(v);
    text_of_.push_back(-1);
  }
  return it->second;
}

uint32_t ElementTable::of_text(const std::string& canonical_json) {
  auto [it, fresh] = by_text_.try_emplace(canonical_json, static_cast<uint32_t>(integers_.size()));
  if (fresh) {
    integers_.push_back(0);
    text_of_.push_back(static_cast<int32_t>(texts_.size()));
    texts_.push_back(canonical_json);
  }
  return it->second;
}

nlohmann::json ElementTable::value(uint32_t id) const {
  if (text_of_[id] < 0) return integers_[id];
  return nlohmann::json::parse(texts_[static_cast<size_t>(text_of_[id])]);
}

namespace {

bool fits_int64(const nlohmann::json& v) {
  return v.is_number_integer() &&
         !(v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()));
}

}  // namespace

namespace {
// A set's read returns what it read: an ok read with anything else is not
// an empty read, it is a history the set checker cannot judge.
const std::string kReadNotAList = "an ok read's value must be the list of elements it read, got ";
}  // namespace

uint32_t SetHistoryBuilder::element_of(const nlohmann::json& v) {
  return fits_int64(v) ? h_.elements.of_integer(v.get<int64_t>()) : h_.elements.of_text(v.dump());
}

SetHistory::Add& SetHistoryBuilder::add_of(uint32_t id) {
  if (id >= h_.adds.size()) h_.adds.resize(std::max<size_t>(id + 1, h_.adds.size() * 2));
  return h_.adds[id];
}

void SetHistoryBuilder::invoke(const Op& op, bool is_add, uint32_t element) {
  open_[op.process] = {is_add, element, op.time};
  if (is_add) {
    add_of(element).attempted = true;
    ++h_.attempts;
  }
}

SetHistoryBuilder::Open* SetHistoryBuilder::complete(const Op& op) {
  auto it = open_.find(op.process);
  return it == open_.end() ? nullptr : &it->second;
}

void SetHistoryBuilder::add(const Op& op) {
  if (op.is_nemesis()) return;
  if (op.type == OpType::invoke) {
    const bool is_add = op.f == "add";
    invoke(op, is_add, is_add ? element_of(op.value) : 0);
    return;
  }
  Open* inv = complete(op);
  if (!inv) return;
  if (op.f == "add" && inv->is_add) {
    SetHistory::Add& a = add_of(inv->element);
    a.outcome = op.type == OpType::ok ? SetHistory::ok : op.type == OpType::fail ? SetHistory::fail : SetHistory::info;
    if (op.type == OpType::ok) a.ack_time = op.time;
  } else if (op.f == "read" && op.type == OpType::ok) {
    if (!op.value.is_array()) throw std::invalid_argument(kReadNotAList + op.value.dump().substr(0, 80));
    const size_t begin = h_.items.size();
    for (const auto& v : op.value) h_.items.push_back(element_of(v));
    h_.reads.push_back({inv->time, op.time, op.index, begin, h_.items.size()});
  }
  open_.erase(op.process);
}

void SetHistoryBuilder::add(const Op& meta, const SetValue& value) {
  if (meta.is_nemesis()) return;
  if (meta.type == OpType::invoke) {
    const bool is_add = meta.f == "add";
    uint32_t element = 0;
    if (is_add) {
      switch (value.kind) {
        case SetValue::integer: element = h_.elements.of_integer(value.integer_value); break;
        case SetValue::null: element = h_.elements.of_text("null"); break;
        case SetValue::other: element = h_.elements.of_text(value.text); break;
        case SetValue::array: {  // an array as the element (rare): by its JSON text, as element_of does
          nlohmann::json a = nlohmann::json::array();
          for (const auto& item : value.items)
            a.push_back(item.text < 0 ? nlohmann::json(item.integer)
                                      : nlohmann::json::parse(value.texts[static_cast<size_t>(item.text)]));
          element = h_.elements.of_text(a.dump());
          break;
        }
      }
    }
    invoke(meta, is_add, element);
    return;
  }
  Open* inv = complete(meta);
  if (!inv) return;
  if (meta.f == "add" && inv->is_add) {
    SetHistory::Add& a = add_of(inv->element);
    a.outcome = meta.type == OpType::ok ? SetHistory::ok : meta.type == OpType::fail ? SetHistory::fail : SetHistory::info;
    if (meta.type == OpType::ok) a.ack_time = meta.time;
  } else if (meta.f == "read" && meta.type == OpType::ok) {
    if (value.kind != SetValue::array)
      throw std::invalid_argument(kReadNotAList + (value.kind == SetValue::null      ? std::string("null")
                                                   : value.kind == SetValue::integer ? std::to_string(value.integer_value)
                                                                                     : value.text.substr(0, 80)));
    const size_t begin = h_.items.size();
    if (begin + value.items.size() > h_.items.capacity())  // geometric: reads grow
      h_.items.reserve(std::max(begin + value.items.size(), 2 * h_.items.capacity()));
    for (const auto& item : value.items)
      h_.items.push_back(item.text < 0 ? h_.elements.of_integer(item.integer)
                                       : h_.elements.of_text(value.texts[static_cast<size_t>(item.text)]));
    h_.reads.push_back({inv->time, meta.time, meta.index, begin, h_.items.size()});
  }
  open_.erase(meta.process);
}

SetHistory SetHistoryBuilder::finish() {
  for (auto& [_, inv] : open_)  // adds never completed (a killed run)
    if (inv.is_add) add_of(inv.element).outcome = SetHistory::info;
  open_.clear();
  h_.adds.resize(h_.elements.size());
  return std::move(h_);
}

SetHistory set_history_of(const History& history, const std::vector<size_t>& lines, const std::string& name) {
  SetHistoryBuilder b;
  for (size_t i = 0; i < history.size(); ++i) {
    try {
      b.add(history[i]);
    } catch (const std::invalid_argument& e) {
      throw BadInput(i < lines.size() ? name + ":" + std::to_string(lines[i]) + ": " + e.what()
                                      : name + " operation " + std::to_string(i) + ": " + e.what());
    }
  }
  return b.finish();
}


SetHistory read_set_history(const std::filesystem::path& path) {
  MappedFile file(path);
  const std::string_view content = file.view();
  const std::string name = path.string();
  SetHistoryBuilder builder;
  PairingCheck pairing(name);
  FastOpParser fast;
  size_t longest = 0;
  for (size_t pos = 0; pos < content.size();) {
    size_t end = content.find('\n', pos);
    if (end == std::string_view::npos) end = content.size();
    longest = std::max(longest, end - pos);
    pos = end + 1;
  }
  fast.reserve(longest);
  SetValue value;
  bool truncated = false;
  size_t pos = 0;
  size_t line_no = 0;
  int64_t position = 0;
  while (pos < content.size()) {
    size_t end = content.find('\n', pos);
    const bool terminated = end != std::string_view::npos;
    if (!terminated) end = content.size();
    const std::string_view line = content.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    Op meta;
    if (fast.parse_set(line, content.size() - (line.data() + line.size() - content.data()), meta, value)) {
      if (meta.index < 0) meta.index = position;
      pairing.feed(meta, line_no);
      try {
        builder.add(meta, value);
      } catch (const std::invalid_argument& e) {
        throw BadInput(name + ":" + std::to_string(line_no) + ": " + e.what());
      }
      ++position;
      continue;
    }
    Op op;
    try {
      op = Op::from_json(parse_bounded_json(line));
    } catch (const std::exception& e) {
      if (!terminated) {  // the writer died in the middle of this line
        truncated = true;
        break;
      }
      throw BadInput(name + ":" + std::to_string(line_no) + ": " + e.what());
    }
    if (op.index < 0) op.index = position;
    pairing.feed(op, line_no);
    try {
      builder.add(op);
    } catch (const std::invalid_argument& e) {
      throw BadInput(name + ":" + std::to_string(line_no) + ": " + e.what());
    }
    ++position;
  }
  SetHistory h = builder.finish();
  h.truncated_tail = truncated;
  if (truncated)
    ECLAT_LOG(warn, "check") << name << ": the last line is cut short (the run was killed); it is skipped";
  return h;
}

}  // namespace eclat
