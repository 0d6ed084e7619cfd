#include "checker/history_fast_parse.hpp"

#include <simdjson.h>

namespace eclat {

namespace od = simdjson::ondemand;

struct FastOpParser::Impl {
  od::parser parser;
};

FastOpParser::FastOpParser() : impl_(new Impl) {}
FastOpParser::~FastOpParser() { delete impl_; }

namespace {

// Throws simdjson_error on anything unexpected (caught by parse()).
nlohmann::json to_json(od::value v) {
  switch (v.type()) {
    case od::json_type::array: {
      nlohmann::json a = nlohmann::json::array();
      for (auto x : v.get_array()) a.push_back(to_json(x.value()));
      return a;
    }
    case od::json_type::object: {
      nlohmann::json o = nlohmann::json::object();
      for (auto f : v.get_object()) {
        std::string_view k = f.unescaped_key();
        o[std::string(k)] = to_json(f.value());
      }
      return o;
    }
    case od::json_type::number:
      switch (v.get_number_type()) {
        case od::number_type::signed_integer: return int64_t(v.get_int64());
        case od::number_type::unsigned_integer: return uint64_t(v.get_uint64());
        default: return double(v.get_double());
      }
    case od::json_type::string: return std::string(std::string_view(v.get_string()));
    case od::json_type::boolean: return bool(v.get_bool());
    case od::json_type::null:
      if (!v.is_null()) throw simdjson::simdjson_error(simdjson::INCORRECT_TYPE);
      return nullptr;
  }
  throw simdjson::simdjson_error(simdjson::INCORRECT_TYPE);
}

}  // namespace

bool FastOpParser::parse(std::string_view line, Op& out) {
  buffer_.assign(line);
  buffer_.append(simdjson::SIMDJSON_PADDING, ' ');
  try {
    od::document doc = impl_->parser.iterate(buffer_.data(), line.size(), buffer_.size());
    od::object obj = doc.get_object();
    Op op;
    bool has_type = false, has_process = false, has_f = false;
    for (auto field : obj) {
      std::string_view key = field.unescaped_key();
      od::value v = field.value();
      if (key == "type") {
        std::string_view t = v.get_string();
        if (t == "invoke") op.type = OpType::invoke;
        else if (t == "ok") op.type = OpType::ok;
        else if (t == "fail") op.type = OpType::fail;
        else if (t == "info") op.type = OpType::info;
        else return false;
        has_type = true;
      } else if (key == "process") {
        if (v.type() == od::json_type::string) {
          if (std::string_view(v.get_string()) != "nemesis") return false;
          op.process = kNemesisProcess;
        } else {
          if (v.get_number_type() != od::number_type::signed_integer) return false;
          op.process = v.get_int64();
        }
        has_process = true;
      } else if (key == "f") {
        op.f = std::string(std::string_view(v.get_string()));
        has_f = true;
      } else if (key == "index") {
        if (v.get_number_type() != od::number_type::signed_integer) return false;
        op.index = v.get_int64();
      } else if (key == "time") {
        if (v.get_number_type() != od::number_type::signed_integer) return false;
        op.time = v.get_int64();
      } else if (key == "key") {
        if (v.type() == od::json_type::string) op.key = std::string(std::string_view(v.get_string()));
        else return false;  // rare shapes: the slow path decides
      } else if (key == "value") {
        op.value = to_json(v);
      } else if (key == "error") {
        if (v.type() == od::json_type::string) op.error = std::string(std::string_view(v.get_string()));
        else return false;
      } else {
        return false;  // other fields: keep the slow path's exact behaviour
      }
    }
    if (!doc.at_end()) return false;
    if (!has_type || !has_process || !has_f) return false;
    out = std::move(op);
    return true;
  } catch (const simdjson::simdjson_error&) {
    return false;
  }
}

}  // namespace eclat
