// eclat export RUN_DIR | HISTORY_FILE [--format edn|porcupine-log] [--out FILE]:
// writes a stored history in another format, for Jepsen's tools (Knossos,
// Elle: EDN) or Porcupine (the etcd text log its tests read), so a user can
// hand Éclat's history to them and compare verdicts; `eclat check` reads
// both back.
#include <cstdio>
#include <fstream>

#include "history/edn_export.hpp"
#include "history/porcupine_export.hpp"
#include "checker/linearizability/formats.hpp"
#include "cli/commands.hpp"
#include "cli/run_directory.hpp"
#include "core/errors.hpp"
#include "core/flags.hpp"

namespace eclat {

namespace {
const char* kUsage =
    "usage: eclat export RUN_DIR | HISTORY_FILE [--format edn|porcupine-log] [--out FILE]\n"
    "\n"
    "Writes the history in another tool's format:\n"
    "  --format edn            Jepsen EDN, one operation map per line (default)\n"
    "                          {:index 0, :type :invoke, :process 3, :f :write, :key \"0\", :value 2, :time 1234}\n"
    "  --format porcupine-log  the Jepsen text log Porcupine's tests read\n"
    "                          INFO  jepsen.util - 3 :invoke :cas [1 4]\n"
    "                          (a lost compare is :fail :cas, an unknown outcome :timed-out,\n"
    "                          failed operations are left out, a key goes into the value as\n"
    "                          [key value]: check it back with --independent)\n"
    "  --out FILE   where to write (default: history.edn or history.log beside the history)\n";
}  // namespace

int export_command(const std::vector<std::string>& args) {
  std::string target, out, format = "edn";
  refuse_repeated_flags(args);
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    auto value = [&](const char* what) -> const std::string& {
      if (i + 1 >= args.size()) throw BadInput(a + " needs " + what);
      return args[++i];
    };
    if (a == "--help" || a == "-h") {
      printf("%s", kUsage);
      return kExitValid;
    } else if (a == "--format") {
      format = value("a FORMAT (edn or porcupine-log)");
      if (format != "edn" && format != "porcupine-log")
        throw BadInput("--format " + format + ": export writes edn or porcupine-log");
    } else if (a == "--out") {
      out = value("a FILE");
    } else if (a.rfind("--", 0) == 0) {
      throw unknown_flag(a, kUsage, "export");
    } else if (target.empty()) {
      target = a;
    } else {
      throw BadInput("export takes one RUN_DIR or HISTORY_FILE, got also \"" + a + "\"");
    }
  }
  if (target.empty()) throw BadInput("export needs a RUN_DIR or HISTORY_FILE (see eclat export --help)");
  const auto history_file = history_path_of(target);
  const bool edn = format == "edn";
  const std::filesystem::path out_file =
      out.empty() ? history_file.parent_path() / (edn ? "history.edn" : "history.log") : std::filesystem::path(out);
  std::error_code ec;  // out_file need not exist yet: then they differ
  if (std::filesystem::equivalent(history_file, out_file, ec))
    throw BadInput("--out " + out_file.string() + " is the history being exported");
  check_writable_dir(out_file.parent_path().empty() ? "." : out_file.parent_path().string(), "--out");
  ReadResult r = lin::read_any_history(history_file);  // a malformed history: nothing written
  // Written beside, then renamed: a half-written file never claims the name.
  const std::filesystem::path tmp = out_file.string() + ".partial";
  std::ofstream o(tmp);
  if (!o) throw BadInput("--out " + out_file.string() + ": cannot write");
  PorcupineExport pe;
  if (edn) write_edn_history(r.history, o);
  else pe = write_porcupine_log(r.history, o);
  o.close();
  if (!o) {
    std::filesystem::remove(tmp, ec);
    throw HarnessError("writing " + out_file.string() + " failed");
  }
  std::filesystem::rename(tmp, out_file, ec);
  if (ec) throw HarnessError("writing " + out_file.string() + " failed: " + ec.message());
  if (edn) {
    printf("%zu operations written to %s\n", r.history.size(), out_file.string().c_str());
  } else {
    printf("%zu operations written to %s", pe.written, out_file.string().c_str());
    if (pe.left_out) printf(" (%zu failed operations left out: they did not happen)", pe.left_out);
    if (pe.keyed) printf(" (keys written as [key value]: check with --independent)");
    printf("\n");
  }
  return kExitValid;
}

}  // namespace eclat
