// perf: latency and throughput plots, drawn by gnuplot (Debian's gnuplot-nox)
// as SVG into the run directory:
//   latency-raw.svg        every client operation's latency at its invocation
//                          time, coloured by outcome (ok / fail / info)
//   latency-quantiles.svg  0.5, 0.95, 0.99 and max latency per time bucket
//   rate.svg               completions per second by outcome
// Every fault interval (start-X .. stop-X / heal-X) is shaded and labelled on
// every plot, so a latency spike or a burst of info lines up with its cause.
// The script and its data files stay in <run>/perf/ (`cd perf && gnuplot
// perf.gp` redraws). A plot is only a view of the history: the verdict is
// valid unless the plots could not be written (then unknown, with why).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "checker/checker.hpp"
#include "checker/report_ops.hpp"
#include "generator/fault_package.hpp"

namespace eclat {
namespace {

namespace fs = std::filesystem;
using namespace report;

// Above this many completed operations the raw plot is thinned out: a
// browser still opens the SVG quickly (each point is ~90 bytes of SVG).
constexpr size_t kRawBudget = 40000;
// gnuplot draws 40k points in about a second; this only catches a hang.
constexpr std::chrono::seconds kGnuplotTimeout{120};

const char* kOutcomeColour[] = {"#1f77b4", "#d62728", "#ff7f0e"};  // ok, fail, info

// Fault shades: a kind with a colour in its fault package (generator/
// fault_package.hpp) keeps it from run to run, others take the next palette
// colour not in use, in order of appearance. None is blue, red or orange
// (outcomes).
std::string fault_colour(const std::string& fault, std::map<std::string, std::string>& assigned) {
  static const char* palette[] = {"#8c564b", "#e377c2", "#bcbd22", "#17becf", "#7f7f7f"};
  auto it = assigned.find(fault);
  if (it != assigned.end()) return it->second;
  std::string c = gen::fault_colour(fault);
  if (c.empty()) {
    size_t others = 0;
    for (const auto& [f, _] : assigned)
      if (gen::fault_colour(f).empty()) ++others;
    c = palette[others % (sizeof palette / sizeof *palette)];
  }
  assigned[fault] = c;
  return c;
}

std::string num(double x) {
  char b[32];
  snprintf(b, sizeof b, "%.6g", x);
  return b;
}

// A gnuplot string literal: single quotes, '' for a quote, nothing else special.
std::string gp_string(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "''";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out + "'";
}

// The smallest 1, 2 or 5 times a power of ten that is at least x.
double nice_width(double x) {
  if (!(x > 0)) return 1;
  double p = std::pow(10.0, std::floor(std::log10(x)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= x * (1 - 1e-9)) return m * p;
  return 10 * p;
}

double quantile_of_sorted(const std::vector<double>& xs, double q) {
  size_t i = static_cast<size_t>(std::ceil(q * xs.size()));
  return xs[std::min(xs.size() - 1, i == 0 ? 0 : i - 1)];  // nearest rank
}

class Perf : public Checker {
 public:
  CheckResult check(const CheckContext& ctx) const override {
    CheckResult r;
    const History& h = ctx.history.ops();
    const fs::path dir = ctx.out_dir / "perf";
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return cannot(r, "cannot create " + dir.string() + ": " + ec.message());

    const double end_s = std::max(history_end(h) / 1e9, 1e-3);
    const std::vector<Span> spans = pair_operations(h, false);
    const std::vector<FaultInterval> faults = fault_intervals(h);

    // --- latency of every completed operation, by outcome ---
    std::vector<const Span*> done;
    size_t count[3] = {0, 0, 0}, pending = 0;
    for (const Span& s : spans) {
      if (s.outcome == Outcome::pending) { ++pending; continue; }
      done.push_back(&s);
      ++count[static_cast<int>(s.outcome)];
    }
    auto latency_ms = [](const Span* s) { return std::max((s->end - s->start) / 1e6, 1e-3); };  // log scale: > 0

    std::vector<char> keep(done.size(), 1);
    std::string raw_note;
    size_t kept = done.size();
    if (done.size() > kRawBudget) {
      // Thin out without hiding what matters: keep every fail and info when
      // they fit in half the budget, every s-th of the rest, and the fastest
      // and slowest operation of each outcome in each 1/500 of the run, so
      // spikes and their envelope stay exactly where they were.
      const size_t rare = count[1] + count[2];
      const bool keep_rare = rare <= kRawBudget / 2;
      const size_t sampled = keep_rare ? count[0] : done.size();
      const size_t stride = (sampled + (kRawBudget - (keep_rare ? rare : 0)) - 1) / (kRawBudget - (keep_rare ? rare : 0));
      constexpr int kBuckets = 500;
      std::vector<std::array<long, 6>> extremes(kBuckets, {-1, -1, -1, -1, -1, -1});  // per outcome: min, max
      size_t seen[3] = {0, 0, 0};
      for (size_t i = 0; i < done.size(); ++i) {
        int o = static_cast<int>(done[i]->outcome);
        bool rare_op = o != 0;
        keep[i] = (keep_rare && rare_op) || (seen[o]++ % stride == 0);
        int b = std::clamp(static_cast<int>(done[i]->start / 1e9 / end_s * kBuckets), 0, kBuckets - 1);
        long& mn = extremes[b][2 * o];
        long& mx = extremes[b][2 * o + 1];
        double l = latency_ms(done[i]);
        if (mn < 0 || l < latency_ms(done[mn])) mn = static_cast<long>(i);
        if (mx < 0 || l > latency_ms(done[mx])) mx = static_cast<long>(i);
      }
      for (const auto& e : extremes)
        for (long i : e)
          if (i >= 0) keep[i] = 1;
      kept = std::count(keep.begin(), keep.end(), 1);
      raw_note = " (downsampled: " + std::to_string(kept) + " of " + std::to_string(done.size()) +
                 " shown: every " + std::to_string(stride) + (keep_rare ? "th ok, all fail and info" : "th") +
                 ", fastest and slowest of each 1/500 of the run)";
    }
    static const char* kRawFile[] = {"latency-ok.dat", "latency-fail.dat", "latency-info.dat"};
    {
      std::ofstream out[3];
      for (int o = 0; o < 3; ++o) {
        out[o].open(dir / kRawFile[o]);
        out[o] << "# client operations that ended " << to_string(static_cast<Outcome>(o))
               << ": invocation time (s), latency (ms), process\n";
      }
      for (size_t i = 0; i < done.size(); ++i) {
        if (!keep[i]) continue;
        auto& o = out[static_cast<int>(done[i]->outcome)];
        o << num(done[i]->start / 1e9) << ' ' << num(latency_ms(done[i])) << ' ' << done[i]->process << '\n';
      }
      for (auto& o : out)
        if (!o) return cannot(r, "cannot write the latency data in " + dir.string());
    }

    // --- latency quantiles per bucket of invocation time ---
    const double qwidth = nice_width(end_s / 100);
    {
      const size_t nb = static_cast<size_t>(std::ceil(end_s / qwidth)) + 1;
      std::vector<std::vector<double>> buckets(nb);
      for (const Span* s : done) buckets[std::min(nb - 1, static_cast<size_t>(s->start / 1e9 / qwidth))].push_back(latency_ms(s));
      std::ofstream out(dir / "latency-quantiles.dat");
      out << "# every completed client operation (ok, fail, info) by invocation time, " << num(qwidth)
          << " s buckets: bucket middle (s), p50, p95, p99, max (ms), operations\n";
      for (size_t b = 0; b < nb; ++b) {
        auto& xs = buckets[b];
        if (xs.empty()) {
          out << '\n';  // a gap in the lines, not a false zero
          continue;
        }
        std::sort(xs.begin(), xs.end());
        out << num((b + 0.5) * qwidth) << ' ' << num(quantile_of_sorted(xs, 0.5)) << ' '
            << num(quantile_of_sorted(xs, 0.95)) << ' ' << num(quantile_of_sorted(xs, 0.99)) << ' '
            << num(xs.back()) << ' ' << xs.size() << '\n';
      }
      if (!out) return cannot(r, "cannot write " + (dir / "latency-quantiles.dat").string());
    }

    // --- throughput: completions per second by outcome ---
    const double rwidth = end_s >= 20 ? std::max(1.0, nice_width(end_s / 1000)) : nice_width(end_s / 50);
    {
      const size_t nb = static_cast<size_t>(std::ceil(end_s / rwidth)) + 1;
      std::vector<std::array<size_t, 3>> buckets(nb, {0, 0, 0});
      for (const Span* s : done) buckets[std::min(nb - 1, static_cast<size_t>(s->end / 1e9 / rwidth))][static_cast<int>(s->outcome)]++;
      std::ofstream out(dir / "rate.dat");
      out << "# client operations completed per second, " << num(rwidth)
          << " s buckets: bucket start (s), ok, fail, info\n";
      for (size_t b = 0; b < nb; ++b)
        out << num(b * rwidth) << ' ' << num(buckets[b][0] / rwidth) << ' ' << num(buckets[b][1] / rwidth) << ' '
            << num(buckets[b][2] / rwidth) << '\n';
      if (!out) return cannot(r, "cannot write " + (dir / "rate.dat").string());
    }

    // Which run a plot is of, in its title: a plot passed around alone
    // still says its run and seed.
    std::string run_tag;
    if (ctx.scenario.is_object()) {
      if (ctx.scenario.contains("name") && ctx.scenario["name"].is_string()) run_tag = ctx.scenario["name"].get<std::string>();
      if (ctx.scenario.contains("seed") && ctx.scenario["seed"].is_number())
        run_tag += (run_tag.empty() ? "" : ", ") + std::string("seed ") + ctx.scenario["seed"].dump();
      if (!run_tag.empty()) run_tag += " — ";
    }

    // --- the script ---
    std::map<std::string, std::string> colours;
    std::ostringstream gp;
    gp << "# Written by eclat's perf checker; run `gnuplot perf.gp` in this folder to redraw.\n"
          "set terminal svg size 1280,560 dynamic enhanced font 'DejaVu Sans,11' background rgb 'white'\n"
          "set encoding utf8\n"
          "set xlabel 'time since the run started (s)'\n"
          "set grid xtics ytics lc rgb '#e0e0e0'\n"
          "set key outside right top\n"
          "set xrange [0:"
       << num(end_s) << "]\n";
    gp << "# fault intervals: from the start-X invocation to the stop-X / heal-X completion\n";
    int obj = 1;
    for (const FaultInterval& f : faults) {
      const std::string c = fault_colour(f.fault, colours);
      const double x0 = f.start / 1e9, x1 = std::max(f.end / 1e9, x0 + end_s / 2000);
      gp << "set object " << obj << " rect from first " << num(x0) << ", graph 0 to first " << num(x1)
         << ", graph 1 behind fc rgb '" << c << "' fs transparent solid 0.16 noborder\n";
      // Three rows of labels, so that neighbouring intervals do not overwrite each other.
      gp << "set label " << obj << " " << gp_string(f.label + (f.open ? " (never stopped)" : "")) << " at first " << num(x0)
         << ", graph " << num(0.975 - 0.045 * ((obj - 1) % 3)) << " left offset 0.3,0 front noenhanced tc rgb '" << c
         << "' font ',9'\n";
      ++obj;
    }
    std::string fault_keys;  // legend entries for the shaded kinds
    for (const auto& [fault, c] : colours)
      fault_keys += ", NaN with boxes fs transparent solid 0.25 noborder lc rgb '" + c + "' title " + gp_string(fault);
    auto series = [&](const std::string& file, const std::string& using_, const std::string& style, const std::string& colour,
                      const std::string& title, bool has_data) {
      if (has_data) return gp_string(file) + " using " + using_ + " with " + style + " lc rgb '" + colour + "' title " + gp_string(title);
      return "NaN with " + style + " lc rgb '" + colour + "' title " + gp_string(title);
    };
    const bool any = !done.empty();
    const std::string empty_range = any ? "" : "set yrange [0.1:1000]\nset label 99 'no completed client operation' at graph 0.5, graph 0.5 center\n";

    gp << "\nset output '../latency-raw.svg'\n"
       << "set title " << gp_string(run_tag + "latency of every client operation, by outcome" + raw_note) << " noenhanced\n"
       << "set ylabel 'latency (ms)'\nset logscale y\nset format y '%g'\n" << empty_range << "plot ";
    const char* names[] = {"ok", "fail", "info"};
    for (int o = 0; o < 3; ++o) {
      gp << (o ? ", " : "")
         << series(kRawFile[o], "1:2", "points pt 7 ps 0.3", kOutcomeColour[o],
                   std::string(names[o]) + " (" + std::to_string(count[o]) + ")", count[o] > 0);
    }
    gp << fault_keys << "\n";

    gp << "\nset output '../latency-quantiles.svg'\n"
       << "set title " << gp_string(run_tag + "latency quantiles of completed client operations (ok, fail, info), " + num(qwidth) + " s buckets")
       << " noenhanced\n";
    const char* qcolour[] = {"#1f3b73", "#2a9d8f", "#e76f51", "#9b2226"};
    const char* qname[] = {"0.5", "0.95", "0.99", "max"};
    gp << "plot ";
    for (int q = 0; q < 4; ++q)
      gp << (q ? ", " : "")
         << series("latency-quantiles.dat", "1:" + std::to_string(q + 2), "linespoints pt 7 ps 0.35 lw 1.3", qcolour[q], qname[q], any);
    gp << fault_keys << "\n";

    gp << "\nset output '../rate.svg'\n"
       << "set title " << gp_string(run_tag + "throughput: client operations completed per second, by outcome (" + num(rwidth) + " s buckets)")
       << " noenhanced\n"
       << "unset logscale y\nset format y '%g'\nset ylabel 'operations per second'\nset yrange [0:*]\nunset label 99\n"
       << "plot ";
    for (int o = 0; o < 3; ++o)
      gp << (o ? ", " : "") << series("rate.dat", "1:" + std::to_string(o + 2), "steps lw 1.4", kOutcomeColour[o], names[o], true);
    gp << fault_keys << "\n";
    {
      std::ofstream out(dir / "perf.gp");
      out << gp.str();
      if (!out) return cannot(r, "cannot write " + (dir / "perf.gp").string());
    }

    // --- draw ---
    static const char* kPlots[] = {"latency-raw.svg", "latency-quantiles.svg", "rate.svg"};
    for (const char* p : kPlots) fs::remove(ctx.out_dir / p, ec);  // no stale plot passes for a new one
    if (!in_path("gnuplot")) return cannot(r, "gnuplot is not installed (Debian package gnuplot-nox); data and script are in " + dir.string());
    ChildResult g = run_child({"gnuplot", "perf.gp"}, kGnuplotTimeout, dir / "gnuplot.log", dir);
    if (!g.succeeded()) return cannot(r, g.error + ": " + file_tail(dir / "gnuplot.log"));
    nlohmann::json files = nlohmann::json::array();
    for (const char* p : kPlots) {
      if (fs::file_size(ctx.out_dir / p, ec) == 0 || ec)
        return cannot(r, std::string("gnuplot did not write ") + p + ": " + file_tail(dir / "gnuplot.log"));
      files.push_back((ctx.out_dir / p).string());
    }

    r.valid = Verdict::valid;
    r.details["files"] = files;
    r.details["data"] = dir.string();
    r.details["operations"] = {{"ok", count[0]}, {"fail", count[1]}, {"info", count[2]}, {"pending", pending}};
    r.details["raw_points"] = kept;
    r.details["downsampled"] = kept < done.size();
    nlohmann::json fj = nlohmann::json::array();
    for (const FaultInterval& f : faults)
      fj.push_back({{"fault", f.fault}, {"label", f.label}, {"start_s", f.start / 1e9}, {"end_s", f.end / 1e9}, {"open", f.open}});
    r.details["faults"] = fj;
    r.details["gnuplot_s"] = g.seconds;
    r.summary = "3 plots, " + std::to_string(faults.size()) + " fault intervals shaded" +
                (kept < done.size() ? ", raw latency downsampled to " + std::to_string(kept) + " points" : "");
    return r;
  }

 private:
  static CheckResult& cannot(CheckResult& r, const std::string& why) {
    r.valid = Verdict::unknown;
    r.details["error"] = why;
    r.summary = "no plots: " + why;
    return r;
  }
};

const bool registered = register_checker({.name = "perf", .doc = "latency and rate plots (gnuplot), every fault interval shaded in its colour", .draws = true},
                                          [] { return std::make_unique<Perf>(); });

}  // namespace
}  // namespace eclat
