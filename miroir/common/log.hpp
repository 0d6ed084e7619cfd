// miroir's own log: one line per message on stderr (the harness collects a
// node's stderr into nodes/<node>/), seconds since the process started,
// level, component, message. miroir is a system under test: it links
// nothing of the harness that tests it.
//   MIROIR_LOG(info, "node") << "listening on " << address;
#pragma once
#include <sstream>
#include <string>

namespace miroir::log {

enum class Level { debug, info, warn, error };

void write(Level level, const std::string& component, const std::string& message);

class Line {
 public:
  Line(Level level, std::string component) : level_(level), component_(std::move(component)) {}
  ~Line() { write(level_, component_, out_.str()); }
  template <class T>
  Line& operator<<(const T& v) {
    out_ << v;
    return *this;
  }

 private:
  Level level_;
  std::string component_;
  std::ostringstream out_;
};

}  // namespace miroir::log

#define MIROIR_LOG(level, component) ::miroir::log::Line(::miroir::log::Level::level, component)
