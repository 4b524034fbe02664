// The simulator's synthetic market: per symbol a seeded random walk on the KRX tick grid inside
// the daily +-30% band, a daily history for the chart endpoints, today's minute bars, and a
// ten-level book around the last trade. Plain C++ (no Beast, no locking): the owner
// serialises access.
//
// Market time is the wall clock plus explicit steps: step k happens at origin + k * step, so
// the same seed and the same steps give the same prices no matter when anyone looks. A symbol
// advances lazily, when someone looks at it: 2,700 listed symbols cost only what is watched.
// A step prints a trade with the instrument's trade_share; a share of the printing steps
// prints several trades at once (a sweep), more around the open and the close, which the feed
// then sends as one multi-record frame, as KIS does.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kis/clock.hpp"
#include "messages/market.hpp"
#include "messages/orders.hpp"
#include "sim/rng.hpp"
#include "sim/universe.hpp"
#include "sim/tape.hpp"

namespace kis::sim {

// The KRX grid (kis::krx_tick_size in messages/orders.hpp) and what the market needs of it.
inline std::int64_t tick_size(std::int64_t price) noexcept {
  return krx_tick_size(price);
}
bool on_tick(std::int64_t price) noexcept;
std::int64_t floor_to_tick(std::int64_t price) noexcept;
std::int64_t ceil_to_tick(std::int64_t price) noexcept;
// The next valid price above / below a valid price.
std::int64_t tick_up(std::int64_t price) noexcept;
std::int64_t tick_down(std::int64_t price) noexcept;
// Daily price limits from the base price (previous close): +-30%, on the grid.
std::int64_t upper_limit(std::int64_t base) noexcept;
std::int64_t lower_limit(std::int64_t base) noexcept;

// One minute of today's trading (KST), for the intraday chart.
struct minute_bar {
  std::int32_t hhmmss = 0; // the minute's start, e.g. 93100
  std::int64_t open = 0, high = 0, low = 0, close = 0;
  std::int64_t volume = 0;       // shares in the minute
  std::int64_t acc_turnover = 0; // KRW since the open, at the minute's end
};

class market final : public tape {
public:
  // burst_share: the share of printing steps that print several trades at once.
  market(std::vector<std::string> symbols, std::uint64_t seed,
         std::shared_ptr<const wall_clock> clock, std::chrono::milliseconds step,
         double burst_share = 0.3);

  bool known(std::string_view symbol) const override;
  const std::vector<std::string>& symbols() const noexcept { return order_; }
  const instrument& info(std::string_view symbol) const override; // symbol must be known

  // Market time: the wall clock plus the explicit steps.
  void step(std::int64_t steps) noexcept { manual_steps_ += steps; }
  std::int64_t current_step() const noexcept override;
  std::int64_t step_time_ns(std::int64_t step) const noexcept;
  std::int64_t now_ns() const noexcept override;
  std::int32_t session_date() const noexcept override { return session_date_; }

  // Snapshots at the current step (symbol must be known).
  kis::quote quote(std::string_view symbol);
  kis::order_book book(std::string_view symbol);
  std::int64_t last_price(std::string_view symbol) override;
  std::int64_t last_trade_ns(std::string_view symbol);

  // Trades printed after step `cursor`, oldest first (several may share a step); moves the
  // cursor to the current step. Only the most recent trades are kept, so a long-idle cursor
  // skips ahead.
  std::vector<kis::trade_tick> trades_since(std::string_view symbol, std::int64_t& cursor) override;

  // Daily bars (period 'D'), or weeks/months/years folded from them ('W', 'M', 'Y'), between
  // two KST dates inclusive, newest first. Today's bar is the session so far.
  std::vector<kis::daily_bar> bars(std::string_view symbol, std::int32_t from, std::int32_t to,
                                   char period);
  // Today's minute bars up to and including the minute of `until_hhmmss`, newest first.
  std::vector<minute_bar> minutes(std::string_view symbol, std::int32_t until_hhmmss,
                                  std::size_t max_rows);
  // The 52-week high/low from the history, for inquire-price.
  std::pair<std::int64_t, std::int64_t> year_range(std::string_view symbol);
  // The previous session's bar (the last of the history).
  kis::daily_bar previous_day(std::string_view symbol);

  static constexpr std::size_t kept_trades = 512;

private:
  // One print, compact: a trade_tick is built from it on demand.
  struct print {
    std::int64_t step = 0;
    std::int64_t price = 0, qty = 0;
    std::int64_t volume = 0, turnover = 0; // accumulated, this print included
    std::int64_t high = 0, low = 0;        // of the day, this print included
    std::int64_t ask1 = 0, bid1 = 0;
    bool buy = true;
  };
  struct tape {
    instrument info;
    rng gen;
    std::int64_t step = -1; // last step generated
    std::int64_t price = 0;
    std::int64_t open = 0, high = 0, low = 0;
    std::int64_t volume = 0, turnover = 0;
    std::int64_t ask1 = 0, bid1 = 0;
    std::int64_t last_print_step = 0;
    std::vector<print> ring; // the last kept_trades prints; ring[next % size] is the oldest
    std::size_t printed = 0; // prints so far
    std::vector<minute_bar> today_minutes;
    std::vector<kis::daily_bar> history; // oldest first, built on first use, excludes today
  };

  tape& at(std::string_view symbol);
  void advance(tape& t);
  void generate(tape& t);
  void print_one(tape& t, bool first_of_day);
  const print& recent(const tape& t, std::size_t back) const; // 0 = the newest
  kis::trade_tick tick_of(const tape& t, const print& p) const;
  const std::vector<kis::daily_bar>& history(tape& t);
  kis::daily_bar today(const tape& t) const;

  std::uint64_t seed_;
  std::shared_ptr<const wall_clock> clock_;
  std::chrono::nanoseconds step_;
  double burst_share_;
  std::int64_t origin_ns_;
  std::int32_t session_date_;
  std::int64_t manual_steps_ = 0;
  std::vector<std::string> order_;
  std::map<std::string, tape, std::less<>> tapes_;
};

} // namespace kis::sim
