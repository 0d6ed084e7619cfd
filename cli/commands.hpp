// The eclat subcommands. Each returns the process exit code; BadInput and
// HarnessError escaping them are mapped to 3 and 4 by main().
#pragma once
#include <string>
#include <vector>

namespace eclat {
struct TestConfig;
struct ReplayPlan;
int test_command(const std::vector<std::string>& args);
// The run itself, from a parsed configuration; with a plan, a replay of it.
int run_test(TestConfig cfg, const ReplayPlan* replay);
int replay_command(const std::vector<std::string>& args);
int check_command(const std::vector<std::string>& args);
int cleanup_command(const std::vector<std::string>& args);
int suite_command(const std::vector<std::string>& args);
int export_command(const std::vector<std::string>& args);
int list_command(const std::vector<std::string>& args);
int log_command(const std::vector<std::string>& args);
int diff_command(const std::vector<std::string>& args);
int serve_command(const std::vector<std::string>& args);
}  // namespace eclat
