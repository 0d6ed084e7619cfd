// Line-oriented logging to stderr and, once a run directory exists, to its
// eclat.log. Each line: elapsed seconds, level, component, message.
//   ECLAT_LOG(info, "lab") << "bridge up";
#pragma once
#include <sstream>
#include <string>

namespace eclat::log {

enum class Level { debug, info, warn, error };

// Also write every line to this file (appending). Empty path stops file logging.
void to_file(const std::string& path);
// Lines below this level are not printed on stderr (the file gets everything).
void set_stderr_level(Level level);
// While a refreshed status line is on the terminal, every log line first
// clears it (the status line is redrawn on its next tick).
void set_status_line(bool active);
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

}  // namespace eclat::log

#define ECLAT_LOG(level, component) ::eclat::log::Line(::eclat::log::Level::level, component)
