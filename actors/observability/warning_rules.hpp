// The rules that turn the engine's figures into warnings a person must act on. A saturated
// budget and full WebSocket slots are how the engine is meant to run: they are shown (console,
// `top`), never warned. Warned, each with what to do: KIS answered EGW00201, an order waited
// longer than one budget slot for its permit, the token is close to expiry and was not
// refreshed, the feed is silent while it holds registrations, the journal failed to write, a
// mailbox keeps growing; plus the process's CPU and memory and a long signal queue. A plain
// class: the metrics actor hands it every snapshot with the time, so tests are deterministic.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "messages/metrics.hpp"

namespace kis {

struct warning_thresholds {
  double cpu_percent = 80;            // of all cores
  double rss_percent = 80;            // of physical memory
  std::uint64_t mailbox_depth = 1000; // any actor, at `mailbox_rounds` evaluations in a row
  std::uint32_t mailbox_rounds = 3;
  double executor_queue_depth = 500; // signals waiting in the executor
  double token_life_seconds = 300;   // the keeper refreshes 600 s ahead: less means it failed
  std::chrono::nanoseconds feed_silence = std::chrono::seconds{60}; // no frame, registrations held
  std::chrono::nanoseconds quiet_after = std::chrono::seconds{60};  // an event warning clears
  double hysteresis = 0.1; // 10 %: clears at 90 % of a ceiling, 110 % of a floor
};

struct metrics_warning {
  std::string key;     // what and where, e.g. "mailbox_depth:analyzer-3"
  std::string message; // for a person: what happened and what to do
  bool raised = true;  // false: the episode is over
};

class warning_rules {
public:
  using time_point = std::chrono::steady_clock::time_point;

  explicit warning_rules(warning_thresholds t)
      : t_(t) {}

  // The edges (raised, cleared) this snapshot causes. cores and memory_bytes describe the
  // machine (0: unknown, that rule is off).
  std::vector<metrics_warning> evaluate(const metrics_snapshot& snap, std::uint64_t memory_bytes,
                                        time_point now);

  std::size_t active() const { return raised_.size(); }
  std::uint64_t raised_total() const { return raised_total_; }
  // The latest edges, newest last (at most `keep`), for the console.
  const std::deque<warning_record>& recent() const { return recent_; }

private:
  // A level: raised while `over`, cleared once `back` holds.
  void level(const std::string& key, bool over, bool back, const std::string& message);
  // An event: raised when `count` grows, cleared after quiet_after without growth.
  void event(const std::string& key, double count, const std::string& message);
  void ceiling(const std::string& key, double value, double limit, const std::string& message);
  void actor_rules(const actor_sample& s);
  void feed_rule(const actor_sample& s);
  void order_wait_rule(const actor_sample& s);

  warning_thresholds t_;
  time_point now_{};
  std::int64_t at_ns_ = 0;
  std::vector<metrics_warning> edges_; // of the current evaluation
  std::set<std::string> raised_;
  std::map<std::string, std::pair<double, time_point>> counts_; // event: last count, when grown
  std::map<std::string, std::uint32_t> mailbox_rounds_;
  std::map<std::string, std::pair<double, time_point>> frames_; // feed: frames, last change
  std::uint64_t raised_total_ = 0;
  std::deque<warning_record> recent_;
  static constexpr std::size_t keep = 50;
};

} // namespace kis
