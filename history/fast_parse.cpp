#include "history/fast_parse.hpp"

#include <simdjson.h>

namespace eclat {

namespace dom = simdjson::dom;

struct FastOpParser::Impl {
  dom::parser parser;  // the DOM parser validates the whole line (trailing bytes too)
};

FastOpParser::FastOpParser() : impl_(new Impl) {}
FastOpParser::~FastOpParser() { delete impl_; }

namespace {

nlohmann::json to_json(dom::element v) {
  switch (v.type()) {
    case dom::element_type::ARRAY: {
      dom::array xs(v);
      nlohmann::json a = nlohmann::json::array();
      auto& items = a.get_ref<nlohmann::json::array_t&>();
      items.reserve(xs.size());  // reads of a big set: no regrowth
      for (dom::element x : xs) items.push_back(to_json(x));
      return a;
    }
    case dom::element_type::OBJECT: {
      nlohmann::json o = nlohmann::json::object();
      for (dom::key_value_pair kv : dom::object(v)) o[std::string(kv.key)] = to_json(kv.value);
      return o;
    }
    case dom::element_type::INT64: return int64_t(v);
    case dom::element_type::UINT64: return uint64_t(v);
    case dom::element_type::DOUBLE: return double(v);
    case dom::element_type::STRING: return std::string(std::string_view(v));
    case dom::element_type::BOOL: return bool(v);
    case dom::element_type::NULL_VALUE: return nullptr;
  }
  return nullptr;
}


void to_set_value(dom::element v, SetValue& out) {
  out.items.clear();
  out.texts.clear();
  switch (v.type()) {
    case dom::element_type::NULL_VALUE: out.kind = SetValue::null; return;
    case dom::element_type::INT64:
      out.kind = SetValue::integer;
      out.integer_value = int64_t(v);
      return;
    case dom::element_type::ARRAY: {
      out.kind = SetValue::array;
      dom::array xs(v);
      out.items.reserve(xs.size());
      for (dom::element x : xs) {
        if (x.type() == dom::element_type::INT64) {
          out.items.push_back({int64_t(x)});
        } else {
          out.items.push_back({0, static_cast<int32_t>(out.texts.size())});
          out.texts.push_back(to_json(x).dump());
        }
      }
      return;
    }
    default:
      out.kind = SetValue::other;
      out.text = to_json(v).dump();
  }
}

}  // namespace

template <class OnValue>
bool FastOpParser::parse_with(std::string_view line, bool padded, Op& out, OnValue&& on_value) {
  const char* data = line.data();
  if (!padded) {  // simdjson reads up to SIMDJSON_PADDING bytes past the end
    buffer_.assign(line);
    buffer_.append(simdjson::SIMDJSON_PADDING, ' ');
    data = buffer_.data();
  }
  try {
    dom::element doc = impl_->parser.parse(data, line.size(), /*realloc_if_needed=*/false);
    if (!doc.is_object()) return false;
    Op op;
    bool has_type = false, has_process = false, has_f = false;
    for (dom::key_value_pair field : dom::object(doc)) {
      std::string_view key = field.key;
      dom::element v = field.value;
      if (key == "type") {
        if (!v.is_string()) return false;
        std::string_view t = v;
        if (t == "invoke") op.type = OpType::invoke;
        else if (t == "ok") op.type = OpType::ok;
        else if (t == "fail") op.type = OpType::fail;
        else if (t == "info") op.type = OpType::info;
        else return false;
        has_type = true;
      } else if (key == "process") {
        if (v.is_string()) {
          if (std::string_view(v) != "nemesis") return false;
          op.process = kNemesisProcess;
        } else if (v.type() == dom::element_type::INT64) {
          op.process = int64_t(v);
        } else {
          return false;
        }
        has_process = true;
      } else if (key == "f") {
        if (!v.is_string()) return false;
        op.f = std::string(std::string_view(v));
        has_f = true;
      } else if (key == "index" || key == "time") {
        if (v.type() != dom::element_type::INT64) return false;
        (key == "index" ? op.index : op.time) = int64_t(v);
      } else if (key == "key") {
        if (!v.is_string()) return false;  // rare shapes: the slow path decides
        op.key = std::string(std::string_view(v));
      } else if (key == "value") {
        on_value(op, v);
      } else if (key == "error") {
        if (!v.is_string()) return false;
        op.error = std::string(std::string_view(v));
      } else {
        return false;  // other fields: keep the slow path's exact behaviour
      }
    }
    if (!has_type || !has_process || !has_f) return false;
    out = std::move(op);
    return true;
  } catch (const simdjson::simdjson_error&) {
    return false;
  }
}

void FastOpParser::reserve(size_t bytes) {
  // A failed allocation is not fatal: parse() grows the parser itself.
  if (bytes > impl_->parser.capacity() && impl_->parser.allocate(bytes) != simdjson::SUCCESS) return;
}

bool FastOpParser::parse(std::string_view line, Op& out) {
  return parse_with(line, false, out, [](Op& op, dom::element v) { op.value = to_json(v); });
}

bool FastOpParser::parse_set(std::string_view line, size_t readable_after, Op& out, SetValue& value) {
  value.kind = SetValue::null;
  return parse_with(line, readable_after >= simdjson::SIMDJSON_PADDING, out,
                    [&value](Op&, dom::element v) { to_set_value(v, value); });
}

}  // namespace eclat
