#include "core/json_output.hpp"

#include <unistd.h>

#include <fstream>

#include "core/errors.hpp"

namespace eclat {

void write_json_file(const std::filesystem::path& file, const nlohmann::json& j, int indent) {
  // The pid keeps two writers of one directory (a run and a re-check) apart.
  const auto tmp = std::filesystem::path(file.string() + ".tmp." + std::to_string(getpid()));
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    out.flush();
    if (!out) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      throw HarnessError("cannot write " + file.string());
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw HarnessError("cannot write " + file.string() + ": " + ec.message());
  }
}

}  // namespace eclat
