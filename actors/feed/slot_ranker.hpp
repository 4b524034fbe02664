// Who holds the WebSocket's registrations when more symbols are watched than fit: a plain
// logic class the feed asks at every re-rank. Symbols with an open order or a position come
// first (pinned: they always get in), then the symbols strategies follow, then the rest; inside
// a tier the more active symbol first (turnover, price range and signals of the latest reports).
// Hysteresis keeps slots from flapping: a challenger of the same tier takes a held slot only
// when its score beats the weakest holder's by `margin`, a slot given is kept at least
// `min_hold`, and a re-rank moves at most `max_moves` symbols (pinned newcomers aside). Free room
// is filled at once. Time comes from the injected clock, so tests are deterministic.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "messages/realtime.hpp"

namespace kis {

struct slot_ranker_config {
  double margin = 1.0;       // score a same-tier challenger needs over the weakest holder
  std::size_t max_moves = 8; // swaps per re-rank (pinned newcomers are not limited)
  std::chrono::nanoseconds stale_after = std::chrono::seconds{60}; // activity older counts 0
  std::chrono::nanoseconds min_hold = std::chrono::seconds{30};    // a new slot is kept this long
};

class slot_ranker {
public:
  using time_point = std::chrono::steady_clock::time_point;
  using clock_fn = std::function<time_point()>;

  enum tier : int { watched = 0, followed = 1, pinned = 2 };

  struct plan {
    std::vector<std::string> release; // lose their slot (then polled)
    std::vector<std::string> grant;   // get a slot, in rank order
  };

  slot_ranker(slot_ranker_config cfg, clock_fn now);

  // A source's newest report replaces what it said before.
  void report(const interest_report& r);

  // The symbols some subscriber wants on the WebSocket and how many registrations each needs
  // (its trade and book registrations both count).
  void want(const std::string& symbol, std::uint32_t cost);
  void unwant(const std::string& symbol);
  bool wanted(const std::string& symbol) const { return wanted_.count(symbol) != 0; }

  // `holders`: wanted symbols holding slots now; `capacity`: registrations market data may
  // use. Remembers the signal counts it has seen, so each re-rank scores the signals since the
  // previous one.
  plan rerank(const std::set<std::string>& holders, std::size_t capacity);

  // What the ranking sees now (also for the console).
  int tier_of(const std::string& symbol) const;
  double score_of(const std::string& symbol) const;

private:
  struct source_view {
    time_point at{};
    std::map<std::string, symbol_interest> symbols;
  };
  struct candidate {
    std::string symbol;
    int tier = watched;
    double score = 0;
    std::uint32_t cost = 1;
    bool holds = false;
  };

  candidate rate(const std::string& symbol, std::uint32_t cost, bool holds) const;
  std::uint64_t signals_of(const std::string& symbol) const;

  slot_ranker_config cfg_;
  clock_fn now_;
  std::map<std::string, source_view> sources_;
  std::map<std::string, std::uint32_t> wanted_;
  std::map<std::string, std::uint64_t> signals_seen_; // at the previous re-rank
  std::map<std::string, time_point> granted_at_;      // slots this ranker gave
};

} // namespace kis
