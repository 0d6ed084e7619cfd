// The Knossos models (register, mutex, fifo-queue, unordered-queue, set) and
// initial states: hand-made histories per model, and a cross-check of every
// new model against a brute force written here (every order of the
// operations that respects real time, every subset of the indeterminate
// ones, simulated with plain containers), on many small random concurrent
// histories.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "checker/linearizability/formats.hpp"
#include "checker/linearizability/linearizable.hpp"
#include "core/errors.hpp"
#include "checker_test_util.hpp"

using namespace eclat;
using namespace eclat::lin;
using nlohmann::json;

namespace {

Report check(const std::string& text, const std::string& model, const json& initial = nullptr,
             bool split = true) {
  ReadResult r = parse_any_history(text, "test");
  CheckOptions o;
  o.model = model;
  o.initial = initial;
  o.split = split;
  o.threads = 1;
  o.time_limit_s = 60;
  std::vector<std::string> where;
  auto ops = pair_operations(r.history, r.lines, "test", &where);
  return check_operations(ops, o, where);
}

Outcome verdict(const std::string& text, const std::string& model, const json& initial = nullptr) {
  return check(text, model, initial).outcome;
}

using checker_test::jsonl;

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The counterexample's explanation of an invalid history.
std::string why(const std::string& text, const std::string& model, const json& initial = nullptr) {
  Report rep = check(text, model, initial);
  EXPECT_EQ(rep.outcome, Outcome::not_linearizable) << rep.summary();
  if (!rep.counterexample) return "(no counterexample)";
  return rep.counterexample->why + "\n" + rep.counterexample->table();
}

void expect_bad_input(const std::function<void()>& f, const std::string& want) {
  try {
    f();
    ADD_FAILURE() << "no BadInput (wanted one naming \"" << want << "\")";
  } catch (const BadInput& e) {
    EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what();
  }
}

constexpr auto kValid = Outcome::linearizable;
constexpr auto kInvalid = Outcome::not_linearizable;

TEST(Models, AreRegistered) {
  auto names = model_names();
  for (const char* n : {"register", "mutex", "fifo-queue", "unordered-queue", "set", "cas-register",
                        "kv", "multi-register"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
    EXPECT_FALSE(make_model(n)->describe().empty()) << n;
    EXPECT_EQ(make_model(n)->name(), n);
  }
}

// ---- register ----------------------------------------------------------

TEST(Register, ReadsTheLatestWrite) {
  EXPECT_EQ(verdict(jsonl({"0 invoke write 1", "0 ok write 1", "1 invoke read null", "1 ok read 1"}), "register"),
            kValid);
  EXPECT_EQ(verdict(jsonl({"0 invoke write 1", "0 ok write 1", "0 invoke write 2", "0 ok write 2",
                           "1 invoke read null", "1 ok read 1"}),
                    "register"),
            kInvalid);
  // Concurrent with the write: the read may come after it...
  EXPECT_EQ(verdict(jsonl({"0 invoke write 1", "1 invoke read null", "1 ok read 1", "0 ok write 1"}), "register"),
            kValid);
  // ...but not before it was invoked.
  EXPECT_EQ(verdict(jsonl({"1 invoke read null", "1 ok read 1", "0 invoke write 1", "0 ok write 1"}), "register"),
            kInvalid);
  // Two overlapping writes: either order, but one.
  auto writes = std::vector<std::string>{"0 invoke write 1", "1 invoke write 2", "0 ok write 1", "1 ok write 2"};
  EXPECT_EQ(verdict(jsonl(writes + std::vector<std::string>{"2 invoke read null", "2 ok read 1"}), "register"),
            kValid);
  EXPECT_EQ(verdict(jsonl(writes + std::vector<std::string>{"2 invoke read null", "2 ok read 2"}), "register"),
            kValid);
  EXPECT_EQ(verdict(jsonl(writes + std::vector<std::string>{"2 invoke read null", "2 ok read 2",
                                                            "2 invoke read null", "2 ok read 1"}),
                    "register"),
            kInvalid);
  // Initially nil, and nil read is a read of nil.
  EXPECT_EQ(verdict(jsonl({"1 invoke read null", "1 ok read null"}), "register"), kValid);
  EXPECT_EQ(verdict(jsonl({"1 invoke read null", "1 ok read 3"}), "register"), kInvalid);
  EXPECT_EQ(verdict(jsonl({"0 invoke write 1", "0 ok write 1", "1 invoke read null", "1 ok read null"}),
                    "register"),
            kInvalid);
  EXPECT_NE(why(jsonl({"0 invoke write 1", "0 ok write 1", "0 invoke write 2", "0 ok write 2",
                       "1 invoke read null", "1 ok read 1"}),
                "register")
                .find("it read 1 but the register held 2"),
            std::string::npos);
}

TEST(Register, InfoOperations) {
  auto base = std::vector<std::string>{"0 invoke write 1", "0 ok write 1", "1 invoke write 2", "1 info write 2"};
  auto r = [](const char* v) { return std::vector<std::string>{"2 invoke read null", std::string("2 ok read ") + v}; };
  EXPECT_EQ(verdict(jsonl(base + r("2")), "register"), kValid);
  EXPECT_EQ(verdict(jsonl(base + r("1")), "register"), kValid);
  EXPECT_EQ(verdict(jsonl(base + r("2") + r("1")), "register"), kInvalid);
  // Never completed: the same as info.
  EXPECT_EQ(verdict(jsonl({"1 invoke write 2", "2 invoke read null", "2 ok read 2"}), "register"), kValid);
  // A failed write did not happen.
  EXPECT_EQ(verdict(jsonl({"1 invoke write 2", "1 fail write 2", "2 invoke read null", "2 ok read 2"}), "register"),
            kInvalid);
  // An info read says nothing and is dropped.
  Report rep = check(jsonl({"0 invoke write 1", "0 ok write 1", "1 invoke read null", "1 info read null"}), "register");
  EXPECT_EQ(rep.outcome, kValid);
  EXPECT_EQ(rep.ops, 1u);
}

TEST(Register, AnyJsonValueAndKeys) {
  EXPECT_EQ(verdict(jsonl({"0 invoke write {\"a\":[1,\"x\"]}", "0 ok write {\"a\":[1,\"x\"]}", "1 invoke read null",
                           "1 ok read {\"a\":[1,\"x\"]}"}),
                    "register"),
            kValid);
  EXPECT_EQ(verdict(jsonl({"0 invoke write \"1\"", "0 ok write \"1\"", "1 invoke read null", "1 ok read 1"}),
                    "register"),
            kInvalid);
  Report rep = check(jsonl({"0 invoke write 1 a", "0 ok write 1 a", "1 invoke read null b", "1 ok read null b",
                            "1 invoke read null a", "1 ok read 1 a"}),
                     "register");
  EXPECT_EQ(rep.outcome, kValid);
  EXPECT_EQ(rep.parts.size(), 2u);
  EXPECT_EQ(verdict(jsonl({"0 invoke write 1 a", "0 ok write 1 a", "1 invoke read null b", "1 ok read 1 b"}),
                    "register"),
            kInvalid);
}

TEST(Register, RefusesCas) {
  expect_bad_input([] { check(jsonl({"0 invoke cas [1,2]", "0 ok cas [1,2]"}), "register"); },
                   "the register model has no cas");
  expect_bad_input([] { check(jsonl({"0 invoke cas [1,2]", "0 ok cas [1,2]"}), "register"); }, "test:1");
  expect_bad_input([] { check(jsonl({"0 invoke append 1", "0 ok append 1"}), "register"); }, "read and write");
}

// ---- mutex -------------------------------------------------------------

TEST(Mutex, AcquireAndReleaseInTurn) {
  EXPECT_EQ(verdict(jsonl({"0 invoke acquire null", "0 ok acquire null", "0 invoke release null",
                           "0 ok release null", "1 invoke acquire null", "1 ok acquire null",
                           "1 invoke release null", "1 ok release null"}),
                    "mutex"),
            kValid);
  // Held twice.
  std::string twice = jsonl({"0 invoke acquire null", "0 ok acquire null", "1 invoke acquire null",
                             "1 ok acquire null"});
  EXPECT_EQ(verdict(twice, "mutex"), kInvalid);
  EXPECT_NE(why(twice, "mutex").find("acquired while held"), std::string::npos) << why(twice, "mutex");
  // Released while free.
  std::string free = jsonl({"0 invoke release null", "0 ok release null"});
  EXPECT_NE(why(free, "mutex").find("released while free"), std::string::npos) << why(free, "mutex");
  // No owner, as in Knossos: another process may release.
  EXPECT_EQ(verdict(jsonl({"0 invoke acquire null", "0 ok acquire null", "1 invoke release null",
                           "1 ok release null"}),
                    "mutex"),
            kValid);
}

TEST(Mutex, RealTimeOrder) {
  // Process 1's acquire overlaps process 0's release: the release first.
  EXPECT_EQ(verdict(jsonl({"0 invoke acquire null", "0 ok acquire null", "1 invoke acquire null",
                           "0 invoke release null", "1 ok acquire null", "0 ok release null"}),
                    "mutex"),
            kValid);
  // The release invoked only after the acquire returned: too late.
  EXPECT_EQ(verdict(jsonl({"0 invoke acquire null", "0 ok acquire null", "1 invoke acquire null",
                           "1 ok acquire null", "0 invoke release null", "0 ok release null"}),
                    "mutex"),
            kInvalid);
  // Two overlapping acquires, both granted, no release.
  EXPECT_EQ(verdict(jsonl({"0 invoke acquire null", "1 invoke acquire null", "0 ok acquire null",
                           "1 ok acquire null"}),
                    "mutex"),
            kInvalid);
  // Overlapping acquire, release, acquire: release between the two.
  EXPECT_EQ(verdict(jsonl({"0 invoke acquire null", "0 ok acquire null", "1 invoke acquire null",
                           "2 invoke release null", "2 ok release null", "1 ok acquire null"}),
                    "mutex"),
            kValid);
}

TEST(Mutex, InfoOperations) {
  // A release that may have happened frees the lock for the next acquire.
  EXPECT_EQ(verdict(jsonl({"0 invoke acquire null", "0 ok acquire null", "0 invoke release null",
                           "0 info release null", "1 invoke acquire null", "1 ok acquire null"}),
                    "mutex"),
            kValid);
  // ...but not before it was invoked.
  EXPECT_EQ(verdict(jsonl({"0 invoke acquire null", "0 ok acquire null", "1 invoke acquire null",
                           "1 ok acquire null", "0 invoke release null", "0 info release null"}),
                    "mutex"),
            kInvalid);
  // An info acquire may never have happened...
  EXPECT_EQ(verdict(jsonl({"0 invoke acquire null", "0 info acquire null", "1 invoke acquire null",
                           "1 ok acquire null"}),
                    "mutex"),
            kValid);
  // ...or may have, and then a release fits.
  EXPECT_EQ(verdict(jsonl({"0 invoke acquire null", "0 info acquire null", "1 invoke release null",
                           "1 ok release null"}),
                    "mutex"),
            kValid);
  EXPECT_EQ(verdict(jsonl({"1 invoke release null", "1 ok release null", "0 invoke acquire null",
                           "0 info acquire null"}),
                    "mutex"),
            kInvalid);
}

TEST(Mutex, InitialState) {
  std::string release = jsonl({"0 invoke release null", "0 ok release null"});
  EXPECT_EQ(verdict(release, "mutex"), kInvalid);
  EXPECT_EQ(verdict(release, "mutex", true), kValid);
  EXPECT_EQ(verdict(release, "mutex", false), kInvalid);
  std::string acquire = jsonl({"0 invoke acquire null", "0 ok acquire null"});
  EXPECT_EQ(verdict(acquire, "mutex"), kValid);
  EXPECT_EQ(verdict(acquire, "mutex", true), kInvalid);
  // Each key is a lock of its own, each starting held.
  EXPECT_EQ(verdict(jsonl({"0 invoke release null a", "0 ok release null a", "1 invoke release null b",
                           "1 ok release null b"}),
                    "mutex", true),
            kValid);
  expect_bad_input([] { make_model("mutex", 5); }, "mutex");
  expect_bad_input([] { make_model("mutex", "locked"); }, "true");
}

// ---- fifo-queue --------------------------------------------------------

TEST(FifoQueue, DequeuesInOrder) {
  auto enq = std::vector<std::string>{"0 invoke enqueue 1", "0 ok enqueue 1", "0 invoke enqueue 2",
                                      "0 ok enqueue 2"};
  auto deq = [](const char* v) {
    return std::vector<std::string>{"1 invoke dequeue null", std::string("1 ok dequeue ") + v};
  };
  EXPECT_EQ(verdict(jsonl(enq + deq("1") + deq("2")), "fifo-queue"), kValid);
  EXPECT_EQ(verdict(jsonl(enq + deq("2")), "fifo-queue"), kInvalid);
  EXPECT_NE(why(jsonl(enq + deq("2")), "fifo-queue").find("dequeued 2 but the head was 1"), std::string::npos)
      << why(jsonl(enq + deq("2")), "fifo-queue");
  // Twice the same element.
  EXPECT_EQ(verdict(jsonl(enq + deq("1") + deq("1")), "fifo-queue"), kInvalid);
  // From an empty queue.
  EXPECT_EQ(verdict(jsonl(deq("1")), "fifo-queue"), kInvalid);
  EXPECT_NE(why(jsonl(deq("1")), "fifo-queue").find("dequeued 1 but the queue was empty"), std::string::npos);
  EXPECT_EQ(verdict(jsonl(enq + deq("1") + deq("2") + deq("2")), "fifo-queue"), kInvalid);
}

TEST(FifoQueue, ConcurrentOperations) {
  // Overlapping enqueues: either order.
  auto both = std::vector<std::string>{"0 invoke enqueue 1", "1 invoke enqueue 2", "0 ok enqueue 1",
                                       "1 ok enqueue 2"};
  auto deq = [](const char* v) {
    return std::vector<std::string>{"2 invoke dequeue null", std::string("2 ok dequeue ") + v};
  };
  EXPECT_EQ(verdict(jsonl(both + deq("2") + deq("1")), "fifo-queue"), kValid);
  EXPECT_EQ(verdict(jsonl(both + deq("1") + deq("2")), "fifo-queue"), kValid);
  // Ordered enqueues and overlapping dequeues: either dequeue took the head.
  auto ordered = std::vector<std::string>{"0 invoke enqueue 1", "0 ok enqueue 1", "0 invoke enqueue 2",
                                          "0 ok enqueue 2"};
  EXPECT_EQ(verdict(jsonl(ordered + std::vector<std::string>{"1 invoke dequeue null", "2 invoke dequeue null",
                                                             "2 ok dequeue 1", "1 ok dequeue 2"}),
                    "fifo-queue"),
            kValid);
  EXPECT_EQ(verdict(jsonl(ordered + std::vector<std::string>{"1 invoke dequeue null", "1 ok dequeue 2",
                                                             "2 invoke dequeue null", "2 ok dequeue 1"}),
                    "fifo-queue"),
            kInvalid);
  // A dequeue overlapping its enqueue may take it; one before it may not.
  EXPECT_EQ(verdict(jsonl({"0 invoke enqueue 1", "1 invoke dequeue null", "1 ok dequeue 1", "0 ok enqueue 1"}),
                    "fifo-queue"),
            kValid);
  EXPECT_EQ(verdict(jsonl({"1 invoke dequeue null", "1 ok dequeue 1", "0 invoke enqueue 1", "0 ok enqueue 1"}),
                    "fifo-queue"),
            kInvalid);
}

TEST(FifoQueue, InfoOperations) {
  // An info enqueue may have happened...
  EXPECT_EQ(verdict(jsonl({"0 invoke enqueue 1", "0 info enqueue 1", "1 invoke dequeue null", "1 ok dequeue 1"}),
                    "fifo-queue"),
            kValid);
  // ...after a later one, even.
  EXPECT_EQ(verdict(jsonl({"0 invoke enqueue 1", "0 info enqueue 1", "1 invoke enqueue 2", "1 ok enqueue 2",
                           "2 invoke dequeue null", "2 ok dequeue 2", "2 invoke dequeue null", "2 ok dequeue 1"}),
                    "fifo-queue"),
            kValid);
  // An info dequeue that happened took the head.
  auto enq = std::vector<std::string>{"0 invoke enqueue 1", "0 ok enqueue 1", "0 invoke enqueue 2",
                                      "0 ok enqueue 2"};
  auto lost = std::vector<std::string>{"1 invoke dequeue null", "1 info dequeue null"};
  auto deq = [](const char* v) {
    return std::vector<std::string>{"2 invoke dequeue null", std::string("2 ok dequeue ") + v};
  };
  EXPECT_EQ(verdict(jsonl(enq + lost + deq("2")), "fifo-queue"), kValid);
  EXPECT_EQ(verdict(jsonl(enq + deq("2")), "fifo-queue"), kInvalid);
  // ...or never happened.
  EXPECT_EQ(verdict(jsonl(enq + lost + deq("1") + deq("2")), "fifo-queue"), kValid);
  // It takes one element, not two.
  EXPECT_EQ(verdict(jsonl(enq + lost + deq("2") + deq("1")), "fifo-queue"), kInvalid);
  EXPECT_EQ(verdict(jsonl(enq + lost + deq("1") + deq("1")), "fifo-queue"), kInvalid);
  // An info dequeue on an empty queue blocks nothing.
  EXPECT_EQ(verdict(jsonl(lost + std::vector<std::string>{"0 invoke enqueue 1", "0 ok enqueue 1"} + deq("1")),
                    "fifo-queue"),
            kValid);
}

TEST(FifoQueue, AnyJsonElementsAndKeys) {
  // [1] as an element: the same text as a queue holding 1, which must not
  // confuse elements with states.
  EXPECT_EQ(verdict(jsonl({"0 invoke enqueue [1]", "0 ok enqueue [1]", "0 invoke enqueue \"a\"",
                           "0 ok enqueue \"a\"", "0 invoke enqueue null", "0 ok enqueue null",
                           "0 invoke enqueue {\"k\":[1,2]}", "0 ok enqueue {\"k\":[1,2]}", "1 invoke dequeue null",
                           "1 ok dequeue [1]", "1 invoke dequeue null", "1 ok dequeue \"a\"",
                           "1 invoke dequeue null", "1 ok dequeue null", "1 invoke dequeue null",
                           "1 ok dequeue {\"k\":[1,2]}"}),
                    "fifo-queue"),
            kValid);
  EXPECT_EQ(verdict(jsonl({"0 invoke enqueue [1]", "0 ok enqueue [1]", "1 invoke dequeue null", "1 ok dequeue 1"}),
                    "fifo-queue"),
            kInvalid);
  Report rep = check(jsonl({"0 invoke enqueue 1 a", "0 ok enqueue 1 a", "0 invoke enqueue 2 b", "0 ok enqueue 2 b",
                            "1 invoke dequeue null b", "1 ok dequeue 2 b", "1 invoke dequeue null a",
                            "1 ok dequeue 1 a"}),
                     "fifo-queue");
  EXPECT_EQ(rep.outcome, kValid);
  EXPECT_EQ(rep.parts.size(), 2u);
  std::string crossed = jsonl({"0 invoke enqueue 1 a", "0 ok enqueue 1 a", "0 invoke enqueue 2 b",
                               "0 ok enqueue 2 b", "1 invoke dequeue null b", "1 ok dequeue 1 b"});
  EXPECT_EQ(verdict(crossed, "fifo-queue"), kInvalid);
  // One partition (several state slots) agrees.
  EXPECT_EQ(check(crossed, "fifo-queue", nullptr, false).outcome, kInvalid);
  EXPECT_EQ(check(jsonl({"0 invoke enqueue 1 a", "0 ok enqueue 1 a", "0 invoke enqueue 2 b", "0 ok enqueue 2 b",
                         "1 invoke dequeue null b", "1 ok dequeue 2 b"}),
                  "fifo-queue", nullptr, false)
                .outcome,
            kValid);
}

TEST(FifoQueue, InitialState) {
  std::string two = jsonl({"1 invoke dequeue null", "1 ok dequeue 1", "1 invoke dequeue null", "1 ok dequeue 2"});
  EXPECT_EQ(verdict(two, "fifo-queue"), kInvalid);
  EXPECT_EQ(verdict(two, "fifo-queue", json::array({1, 2})), kValid);
  EXPECT_EQ(verdict(two, "fifo-queue", json::array({2, 1})), kInvalid);
  // Enqueues go behind what was there.
  EXPECT_EQ(verdict(jsonl({"0 invoke enqueue 3", "0 ok enqueue 3", "1 invoke dequeue null", "1 ok dequeue 1"}),
                    "fifo-queue", json::array({1})),
            kValid);
  expect_bad_input([] { make_model("fifo-queue", json{{"a", 1}}); }, "fifo-queue");
  expect_bad_input([] { make_model("fifo-queue", 3); }, "list");
}

// ---- unordered-queue ---------------------------------------------------

TEST(UnorderedQueue, DequeuesAnyElementPresent) {
  auto enq = std::vector<std::string>{"0 invoke enqueue 1", "0 ok enqueue 1", "0 invoke enqueue 2",
                                      "0 ok enqueue 2"};
  auto deq = [](const char* v) {
    return std::vector<std::string>{"1 invoke dequeue null", std::string("1 ok dequeue ") + v};
  };
  EXPECT_EQ(verdict(jsonl(enq + deq("2") + deq("1")), "unordered-queue"), kValid);
  EXPECT_EQ(verdict(jsonl(enq + deq("1") + deq("2")), "unordered-queue"), kValid);
  EXPECT_EQ(verdict(jsonl(enq + deq("3")), "unordered-queue"), kInvalid);
  EXPECT_NE(why(jsonl(enq + deq("3")), "unordered-queue").find("dequeued 3 but the queue held none"),
            std::string::npos)
      << why(jsonl(enq + deq("3")), "unordered-queue");
  // One copy each.
  EXPECT_EQ(verdict(jsonl(enq + deq("1") + deq("1")), "unordered-queue"), kInvalid);
  EXPECT_EQ(verdict(jsonl(enq + std::vector<std::string>{"0 invoke enqueue 1", "0 ok enqueue 1"} + deq("1") +
                          deq("1")),
                    "unordered-queue"),
            kValid);
  // Real time: not before the enqueue was invoked, but during it.
  EXPECT_EQ(verdict(jsonl({"1 invoke dequeue null", "1 ok dequeue 1", "0 invoke enqueue 1", "0 ok enqueue 1"}),
                    "unordered-queue"),
            kInvalid);
  EXPECT_EQ(verdict(jsonl({"0 invoke enqueue 1", "1 invoke dequeue null", "1 ok dequeue 1", "0 ok enqueue 1"}),
                    "unordered-queue"),
            kValid);
  // Concurrent dequeues of the one element: one of them only.
  EXPECT_EQ(verdict(jsonl({"0 invoke enqueue 1", "0 ok enqueue 1", "1 invoke dequeue null",
                           "2 invoke dequeue null", "1 ok dequeue 1", "2 ok dequeue 1"}),
                    "unordered-queue"),
            kInvalid);
}

TEST(UnorderedQueue, InfoOperations) {
  // An info enqueue may have happened.
  EXPECT_EQ(verdict(jsonl({"0 invoke enqueue 1", "0 info enqueue 1", "1 invoke dequeue null", "1 ok dequeue 1"}),
                    "unordered-queue"),
            kValid);
  // An info dequeue is dropped: the element may still be there.
  Report rep = check(jsonl({"0 invoke enqueue 1", "0 ok enqueue 1", "1 invoke dequeue null", "1 info dequeue null",
                            "2 invoke dequeue null", "2 ok dequeue 1"}),
                     "unordered-queue");
  EXPECT_EQ(rep.outcome, kValid);
  EXPECT_EQ(rep.ops, 2u);
  // ...and it cannot make a missing element appear.
  EXPECT_EQ(verdict(jsonl({"0 invoke enqueue 1", "0 ok enqueue 1", "1 invoke dequeue null", "1 info dequeue null",
                           "2 invoke dequeue null", "2 ok dequeue 1", "2 invoke dequeue null", "2 ok dequeue 1"}),
                    "unordered-queue"),
            kInvalid);
}

TEST(UnorderedQueue, InitialState) {
  std::string two = jsonl({"1 invoke dequeue null", "1 ok dequeue \"a\"", "1 invoke dequeue null",
                           "1 ok dequeue \"a\""});
  EXPECT_EQ(verdict(two, "unordered-queue"), kInvalid);
  EXPECT_EQ(verdict(two, "unordered-queue", json::array({"a", "a"})), kValid);
  EXPECT_EQ(verdict(two, "unordered-queue", json::array({"a", "b"})), kInvalid);
  expect_bad_input([] { make_model("unordered-queue", "a"); }, "unordered-queue");
}

// ---- set ---------------------------------------------------------------

TEST(Set, ReadsTheWholeSet) {
  auto adds = std::vector<std::string>{"0 invoke add 1", "0 ok add 1", "0 invoke add 2", "0 ok add 2"};
  auto read = [](const char* v) {
    return std::vector<std::string>{"1 invoke read null", std::string("1 ok read ") + v};
  };
  EXPECT_EQ(verdict(jsonl(read("[]") + adds + read("[1,2]")), "set"), kValid);
  // Order and repeats do not matter.
  EXPECT_EQ(verdict(jsonl(adds + read("[2,1]")), "set"), kValid);
  EXPECT_EQ(verdict(jsonl(adds + read("[2,1,2]")), "set"), kValid);
  // Missing or extra elements do.
  EXPECT_EQ(verdict(jsonl(adds + read("[1]")), "set"), kInvalid);
  EXPECT_NE(why(jsonl(adds + read("[1]")), "set").find("it missed 2"), std::string::npos)
      << why(jsonl(adds + read("[1]")), "set");
  EXPECT_EQ(verdict(jsonl(adds + read("[1,2,3]")), "set"), kInvalid);
  EXPECT_NE(why(jsonl(adds + read("[1,2,3]")), "set").find("3, not added yet"), std::string::npos);
  // Adding twice adds once.
  EXPECT_EQ(verdict(jsonl(adds + std::vector<std::string>{"0 invoke add 1", "0 ok add 1"} + read("[1,2]")), "set"),
            kValid);
  // Any JSON element: 1 and "1" differ.
  EXPECT_EQ(verdict(jsonl({"0 invoke add \"1\"", "0 ok add \"1\"", "1 invoke read null", "1 ok read [1]"}), "set"),
            kInvalid);
  EXPECT_EQ(verdict(jsonl({"0 invoke add [1]", "0 ok add [1]", "0 invoke add null", "0 ok add null",
                           "1 invoke read null", "1 ok read [null,[1]]"}),
                    "set"),
            kValid);
  // A read's value must be a list.
  expect_bad_input([] { check(jsonl({"1 invoke read null", "1 ok read 3"}), "set"); }, "list");
}

TEST(Set, ConcurrentAddsSeenOrNot) {
  // A read overlapping an add may see it or not; once seen, it stays.
  auto open = std::vector<std::string>{"0 invoke add 1"};
  auto read = [](const char* v) {
    return std::vector<std::string>{"1 invoke read null", std::string("1 ok read ") + v};
  };
  auto close = std::vector<std::string>{"0 ok add 1"};
  EXPECT_EQ(verdict(jsonl(open + read("[]") + read("[1]") + close), "set"), kValid);
  EXPECT_EQ(verdict(jsonl(open + read("[1]") + read("[]") + close), "set"), kInvalid);
  EXPECT_EQ(verdict(jsonl(open + close + read("[]")), "set"), kInvalid);
  // Two overlapping adds, reads seeing each alone: only one can be first.
  auto two = std::vector<std::string>{"0 invoke add 1", "2 invoke add 2"};
  auto done = std::vector<std::string>{"0 ok add 1", "2 ok add 2"};
  EXPECT_EQ(verdict(jsonl(two + read("[2]") + read("[1,2]") + done), "set"), kValid);
  EXPECT_EQ(verdict(jsonl(two + read("[2]") + read("[1]") + done), "set"), kInvalid);
}

TEST(Set, InfoOperations) {
  auto read = [](const char* v) {
    return std::vector<std::string>{"1 invoke read null", std::string("1 ok read ") + v};
  };
  auto lost = std::vector<std::string>{"0 invoke add 1", "0 info add 1"};
  EXPECT_EQ(verdict(jsonl(lost + read("[]") + read("[1]")), "set"), kValid);
  EXPECT_EQ(verdict(jsonl(lost + read("[1]") + read("[]")), "set"), kInvalid);
  EXPECT_EQ(verdict(jsonl(read("[1]") + lost), "set"), kInvalid);
  // An info read is dropped.
  Report rep = check(jsonl(lost + std::vector<std::string>{"2 invoke read null", "2 info read null"} + read("[1]")),
                     "set");
  EXPECT_EQ(rep.outcome, kValid);
  EXPECT_EQ(rep.ops, 2u);
}

TEST(Set, InitialState) {
  std::string h = jsonl({"0 invoke add 2", "0 ok add 2", "1 invoke read null", "1 ok read [2,\"x\"]"});
  EXPECT_EQ(verdict(h, "set"), kInvalid);
  EXPECT_EQ(verdict(h, "set", json::array({"x"})), kValid);
  EXPECT_EQ(verdict(h, "set", json::array({"x", "x", 2})), kValid);
  EXPECT_EQ(verdict(h, "set", json::array({"x", 3})), kInvalid);
  expect_bad_input([] { make_model("set", 3); }, "the set model takes a list");
}

// ---- initial states of the older models --------------------------------

TEST(InitialState, MultiRegisterStartsAtItsMap) {
  std::string h =
      "{\"type\":\"invoke\",\"process\":0,\"f\":\"txn\",\"value\":[[\"w\",\"x\",1]]}\n"
      "{\"type\":\"invoke\",\"process\":1,\"f\":\"txn\",\"value\":[[\"r\",\"x\",null],[\"r\",\"y\",null]]}\n"
      "{\"type\":\"ok\",\"process\":0,\"f\":\"txn\",\"value\":[[\"w\",\"x\",1]]}\n"
      "{\"type\":\"ok\",\"process\":1,\"f\":\"txn\",\"value\":[[\"r\",\"x\",0],[\"r\",\"y\",0]]}\n"
      "{\"type\":\"invoke\",\"process\":1,\"f\":\"txn\",\"value\":[[\"r\",\"x\",null],[\"r\",\"y\",null]]}\n"
      "{\"type\":\"ok\",\"process\":1,\"f\":\"txn\",\"value\":[[\"r\",\"x\",1],[\"r\",\"y\",0]]}\n";
  EXPECT_EQ(verdict(h, "multi-register"), kInvalid);
  EXPECT_EQ(verdict(h, "multi-register", json{{"x", 0}, {"y", 0}}), kValid);
  EXPECT_EQ(verdict(h, "multi-register", json{{"x", 0}}), kInvalid);  // y still nil
  EXPECT_EQ(check(h, "multi-register", json{{"x", 0}, {"y", 0}}, false).outcome, kValid);
  expect_bad_input([] { make_model("multi-register", 0); }, "multi-register");
}

TEST(InitialState, CasRegisterStartsAtItsValue) {
  std::string h = jsonl({"0 invoke cas [0,1]", "0 ok cas [0,1]", "1 invoke read null", "1 ok read 1",
                         "1 invoke cas [0,2]", "1 ok cas false"});
  EXPECT_EQ(verdict(h, "cas-register"), kInvalid);
  EXPECT_EQ(verdict(h, "cas-register", json(0)), kValid);
  EXPECT_EQ(verdict(h, "cas-register", json(1)), kInvalid);
  // The report says which initial state it judged.
  Report rep = check(h, "cas-register", json(0));
  EXPECT_EQ(rep.initial, json(0));
}

TEST(InitialState, RegisterStartsAtItsValue) {
  std::string h = jsonl({"1 invoke read null", "1 ok read \"a\"", "0 invoke write 2", "0 ok write 2"});
  EXPECT_EQ(verdict(h, "register"), kInvalid);
  EXPECT_EQ(verdict(h, "register", "a"), kValid);
}

// ---- cross-check against a brute force ---------------------------------
//
// Random small concurrent histories: 2 or 3 processes, at most 7
// operations, values from {nil, 1, "b", [3]} (coded 0..3 here), sometimes
// two keys, sometimes an initial state; completions ok, info, fail, or none
// at all. Outputs come from a "true" object the operations act on at their
// completion (so most histories are linearizable), perturbed now and then
// (so many are not).

enum class End { ok, info, fail, pending };

struct GenOp {
  int process = 0;
  std::string key;        // "" when the history has no keys
  std::string f;
  int in = 0;             // enqueue/add/write
  int out = 0;            // dequeue/register read
  std::vector<int> read;  // set read (maybe repeated, any order)
  End end = End::pending;
  uint64_t call = 0, ret = 0;
};

json jv(int v) {
  switch (v) {
    case 0: return nullptr;
    case 1: return 1;
    case 2: return "b";
    default: return json::array({v});
  }
}

int pick(std::mt19937& rng, int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); }
bool chance(std::mt19937& rng, int percent) { return pick(rng, 100) < percent; }

// Each simulation: the model's semantics on plain containers, written from
// the model's description, not from Éclat's code. step() gives every state
// the operation can lead to (none: it cannot happen there); an info
// operation's step is what it did if it took effect.

struct RegisterSim {
  using S = int;  // 0: nil
  const char* name = "register";
  S initial(bool custom) const { return custom ? 2 : 0; }
  json initial_json() const { return jv(2); }
  void random_op(std::mt19937& rng, GenOp& g) const {
    g.f = chance(rng, 50) ? "write" : "read";
    g.in = 1 + pick(rng, 3);
  }
  bool apply(S& s, GenOp& g, std::mt19937&) const {
    if (g.f == "write") s = g.in;
    else g.out = s;
    return true;
  }
  void noise(GenOp& g, std::mt19937& rng) const { g.out = pick(rng, 4); }
  std::vector<S> step(const S& s, const GenOp& g, bool info) const {
    if (g.f == "write") return {g.in};
    if (info || g.out == s) return {s};
    return {};
  }
  json invoke_value(const GenOp& g) const { return g.f == "write" ? jv(g.in) : json(); }
  json ok_value(const GenOp& g) const { return g.f == "write" ? jv(g.in) : jv(g.out); }
};

struct MutexSim {
  using S = bool;  // held
  const char* name = "mutex";
  S initial(bool custom) const { return custom; }
  json initial_json() const { return true; }
  void random_op(std::mt19937& rng, GenOp& g) const { g.f = chance(rng, 50) ? "acquire" : "release"; }
  bool apply(S& s, GenOp& g, std::mt19937&) const {
    if ((g.f == "acquire") == s) return false;
    s = !s;
    return true;
  }
  void noise(GenOp&, std::mt19937&) const {}
  std::vector<S> step(const S& s, const GenOp& g, bool) const {
    if ((g.f == "acquire") == s) return {};
    return {!s};
  }
  json invoke_value(const GenOp&) const { return nullptr; }
  json ok_value(const GenOp&) const { return nullptr; }
};

struct FifoSim {
  using S = std::deque<int>;
  const char* name = "fifo-queue";
  S initial(bool custom) const { return custom ? S{2, 1} : S{}; }
  json initial_json() const { return json::array({jv(2), jv(1)}); }
  void random_op(std::mt19937& rng, GenOp& g) const {
    g.f = chance(rng, 55) ? "enqueue" : "dequeue";
    g.in = chance(rng, 10) ? 0 : 1 + pick(rng, 3);
  }
  bool apply(S& s, GenOp& g, std::mt19937&) const {
    if (g.f == "enqueue") {
      s.push_back(g.in);
      return true;
    }
    if (s.empty()) return false;
    g.out = s.front();
    s.pop_front();
    return true;
  }
  void noise(GenOp& g, std::mt19937& rng) const { g.out = pick(rng, 4); }
  std::vector<S> step(const S& s, const GenOp& g, bool info) const {
    S t = s;
    if (g.f == "enqueue") {
      t.push_back(g.in);
      return {t};
    }
    if (t.empty()) return info ? std::vector<S>{t} : std::vector<S>{};  // found it empty: no change
    if (!info && t.front() != g.out) return {};
    t.pop_front();
    return {t};
  }
  json invoke_value(const GenOp& g) const { return g.f == "enqueue" ? jv(g.in) : json(); }
  json ok_value(const GenOp& g) const { return g.f == "enqueue" ? jv(g.in) : jv(g.out); }
};

struct UnorderedSim {
  using S = std::multiset<int>;
  const char* name = "unordered-queue";
  S initial(bool custom) const { return custom ? S{1, 1} : S{}; }
  json initial_json() const { return json::array({jv(1), jv(1)}); }
  void random_op(std::mt19937& rng, GenOp& g) const {
    g.f = chance(rng, 55) ? "enqueue" : "dequeue";
    g.in = chance(rng, 10) ? 0 : 1 + pick(rng, 3);
  }
  bool apply(S& s, GenOp& g, std::mt19937& rng) const {
    if (g.f == "enqueue") {
      s.insert(g.in);
      return true;
    }
    if (s.empty()) return false;
    auto it = std::next(s.begin(), pick(rng, static_cast<int>(s.size())));
    g.out = *it;
    s.erase(it);
    return true;
  }
  void noise(GenOp& g, std::mt19937& rng) const { g.out = pick(rng, 4); }
  std::vector<S> step(const S& s, const GenOp& g, bool info) const {
    if (g.f == "enqueue") {
      S t = s;
      t.insert(g.in);
      return {t};
    }
    if (!info) {
      auto it = s.find(g.out);
      if (it == s.end()) return {};
      S t = s;
      t.erase(t.find(g.out));
      return {t};
    }
    // An info dequeue that took effect took some element (any of them), or
    // found the queue empty.
    if (s.empty()) return {s};
    std::vector<S> out;
    for (int x : std::set<int>(s.begin(), s.end())) {
      S t = s;
      t.erase(t.find(x));
      out.push_back(t);
    }
    return out;
  }
  json invoke_value(const GenOp& g) const { return g.f == "enqueue" ? jv(g.in) : json(); }
  json ok_value(const GenOp& g) const { return g.f == "enqueue" ? jv(g.in) : jv(g.out); }
};

struct SetSim {
  using S = std::set<int>;
  const char* name = "set";
  S initial(bool custom) const { return custom ? S{3} : S{}; }
  json initial_json() const { return json::array({jv(3)}); }
  void random_op(std::mt19937& rng, GenOp& g) const {
    g.f = chance(rng, 55) ? "add" : "read";
    g.in = chance(rng, 10) ? 0 : 1 + pick(rng, 3);
  }
  bool apply(S& s, GenOp& g, std::mt19937& rng) const {
    if (g.f == "add") {
      s.insert(g.in);
      return true;
    }
    g.read.assign(s.begin(), s.end());
    if (!g.read.empty() && chance(rng, 25)) g.read.push_back(g.read[pick(rng, static_cast<int>(g.read.size()))]);
    std::shuffle(g.read.begin(), g.read.end(), rng);
    return true;
  }
  void noise(GenOp& g, std::mt19937& rng) const {
    // Add or take out one element.
    int x = pick(rng, 4);
    std::set<int> r(g.read.begin(), g.read.end());
    if (r.count(x)) r.erase(x);
    else r.insert(x);
    g.read.assign(r.begin(), r.end());
    std::shuffle(g.read.begin(), g.read.end(), rng);
  }
  std::vector<S> step(const S& s, const GenOp& g, bool info) const {
    if (g.f == "add") {
      S t = s;
      t.insert(g.in);
      return {t};
    }
    if (info || S(g.read.begin(), g.read.end()) == s) return {s};
    return {};
  }
  json invoke_value(const GenOp& g) const { return g.f == "add" ? jv(g.in) : json(); }
  json ok_value(const GenOp& g) const {
    if (g.f == "add") return jv(g.in);
    json a = json::array();
    for (int x : g.read) a.push_back(jv(x));
    return a;
  }
};

// Is there an order of the operations that happened or may have (ok, info,
// never completed), with every ok one in it and any subset of the others,
// respecting real time (a before b when a completed before b was invoked),
// that the simulation accepts? Depth-first over every such order, no
// memo and no pruning but the simulation's own dead ends.
template <class Sim>
bool brute_force(const Sim& sim, const std::vector<GenOp>& ops,
                 const std::map<std::string, typename Sim::S>& init) {
  std::vector<const GenOp*> live;
  for (const auto& o : ops)
    if (o.end != End::fail) live.push_back(&o);
  size_t n = live.size();
  uint32_t must = 0;
  for (size_t i = 0; i < n; ++i)
    if (live[i]->end == End::ok) must |= 1u << i;
  std::function<bool(uint32_t, const std::map<std::string, typename Sim::S>&)> dfs =
      [&](uint32_t placed, const std::map<std::string, typename Sim::S>& state) {
        if ((placed & must) == must) return true;
        for (size_t i = 0; i < n; ++i) {
          if (placed & (1u << i)) continue;
          bool ready = true;
          for (size_t j = 0; j < n && ready; ++j)
            if (j != i && !(placed & (1u << j)) && live[j]->end == End::ok && live[j]->ret < live[i]->call)
              ready = false;
          if (!ready) continue;
          bool info = live[i]->end != End::ok;
          for (const auto& next : sim.step(state.at(live[i]->key), *live[i], info)) {
            auto s2 = state;
            s2[live[i]->key] = next;
            if (dfs(placed | (1u << i), s2)) return true;
          }
        }
        return false;
      };
  return dfs(0, init);
}

struct Counts {
  int histories = 0, valid = 0, invalid = 0, with_info = 0, keyed = 0, initial = 0;
};

template <class Sim>
Counts cross_check(const Sim& sim, int histories, uint32_t seed) {
  Counts c;
  int failures = 0;
  for (int h = 0; h < histories; ++h) {
    std::mt19937 rng(seed + static_cast<uint32_t>(h));
    int nproc = 2 + pick(rng, 2);
    int nops = 1 + pick(rng, 7);
    bool keyed = chance(rng, 30);
    bool custom = chance(rng, 35);
    bool split = chance(rng, 70);
    std::map<std::string, typename Sim::S> init;
    for (const char* k : keyed ? std::vector<const char*>{"a", "b"} : std::vector<const char*>{""})
      init[k] = sim.initial(custom);
    auto truth = init;

    // The history: events in order (op index, invocation?).
    std::vector<GenOp> ops;
    std::vector<std::pair<size_t, bool>> events;
    std::vector<int> pending(static_cast<size_t>(nproc), -1);
    int invoked = 0;
    uint64_t t = 0;
    for (;;) {
      bool any = false;
      for (int p : pending) any |= p >= 0;
      if (invoked == nops && (!any || chance(rng, 15))) break;  // the rest never complete
      size_t p = static_cast<size_t>(pick(rng, nproc));
      if (pending[p] < 0) {
        if (invoked == nops) continue;
        GenOp g;
        g.process = static_cast<int>(p);
        if (keyed) g.key = chance(rng, 50) ? "a" : "b";
        sim.random_op(rng, g);
        g.call = t++;
        pending[p] = static_cast<int>(ops.size());
        events.push_back({ops.size(), true});
        ops.push_back(g);
        ++invoked;
        continue;
      }
      GenOp& g = ops[static_cast<size_t>(pending[p])];
      events.push_back({static_cast<size_t>(pending[p]), false});
      pending[p] = -1;
      g.ret = t++;
      int r = pick(rng, 100);
      auto s = truth[g.key];
      if (r < 14) {
        g.end = End::info;  // it took effect, or not
        if (chance(rng, 50) && sim.apply(s, g, rng)) truth[g.key] = s;
      } else if (r < 19) {
        g.end = End::fail;
      } else if (sim.apply(s, g, rng)) {
        truth[g.key] = s;
        g.end = End::ok;
        if (chance(rng, 15)) sim.noise(g, rng);
      } else if (chance(rng, 60)) {
        g.end = End::fail;  // what a client says when it could not
      } else {
        g.end = End::ok;  // ...or claims it did anyway
        sim.noise(g, rng);
      }
    }
    bool any_ok = false, any_info = false;
    for (const auto& g : ops) {
      any_ok |= g.end == End::ok;
      any_info |= g.end == End::info || g.end == End::pending;
    }
    if (!any_ok) continue;  // nothing to judge (Éclat says unknown, rightly)

    std::string text;
    for (auto [i, inv] : events) {
      const GenOp& g = ops[i];
      json e;
      e["process"] = g.process;
      e["f"] = g.f;
      if (keyed) e["key"] = g.key;
      if (inv) {
        e["type"] = "invoke";
        e["value"] = sim.invoke_value(g);
      } else {
        e["type"] = g.end == End::ok ? "ok" : g.end == End::info ? "info" : "fail";
        e["value"] = g.end == End::ok ? sim.ok_value(g) : sim.invoke_value(g);
      }
      text += e.dump() + "\n";
    }

    bool want = brute_force(sim, ops, init);
    Report rep = check(text, sim.name, custom ? sim.initial_json() : json(), split);
    ++c.histories;
    (want ? c.valid : c.invalid)++;
    c.with_info += any_info;
    c.keyed += keyed;
    c.initial += custom;
    Outcome expected = want ? kValid : kInvalid;
    if (rep.outcome != expected) {
      ADD_FAILURE() << sim.name << " history " << h << " (seed " << seed + h << ", initial "
                    << (custom ? sim.initial_json().dump() : "default") << ", split " << split
                    << "): brute force says " << to_string(expected) << ", Éclat " << rep.summary() << "\n"
                    << text;
      if (++failures >= 5) break;
    } else if (!want) {
      EXPECT_TRUE(rep.counterexample) << text;
      if (rep.counterexample) {
        EXPECT_FALSE(rep.counterexample->why.empty()) << text;
      }
    }
  }
  std::printf("cross-check %-16s %d histories: %d linearizable, %d not (%d with info or unfinished "
              "operations, %d with two keys, %d from an initial state)\n",
              sim.name, c.histories, c.valid, c.invalid, c.with_info, c.keyed, c.initial);
  return c;
}

template <class Sim>
void run_cross_check(const Sim& sim, uint32_t seed) {
  constexpr int kHistories = 4000;
  Counts c = cross_check(sim, kHistories, seed);
  EXPECT_GT(c.histories, kHistories * 8 / 10);
  // Both verdicts, often: the comparison can fail either way.
  EXPECT_GT(c.valid, c.histories / 10);
  EXPECT_GT(c.invalid, c.histories / 10);
  EXPECT_GT(c.with_info, c.histories / 10);
}

TEST(CrossCheck, Register) { run_cross_check(RegisterSim{}, 1000); }
TEST(CrossCheck, Mutex) { run_cross_check(MutexSim{}, 2000); }
TEST(CrossCheck, FifoQueue) { run_cross_check(FifoSim{}, 3000); }
TEST(CrossCheck, UnorderedQueue) { run_cross_check(UnorderedSim{}, 4000); }
TEST(CrossCheck, Set) { run_cross_check(SetSim{}, 5000); }

}  // namespace
