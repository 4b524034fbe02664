// The simulator's synthetic market: per symbol a seeded random walk on the KRX tick grid inside
// the daily +-30% band, a daily history for the chart endpoints, and a ten-level book around
// the last trade. Plain C++ (no Beast, no locking): the owner serialises access.
//
// Market time is the wall clock plus explicit steps: step k happens at origin + k * step, so
// the same seed and the same steps give the same prices no matter when anyone looks.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kis/clock.hpp"
#include "messages/market.hpp"
#include "messages/orders.hpp"
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

// At least 120 six-digit codes: large KOSPI names first, then synthetic codes.
std::vector<std::string> default_universe();

// splitmix64: tiny, fast and the same on every platform, unlike std distributions.
class rng {
public:
  explicit rng(std::uint64_t seed) noexcept
      : state_(seed) {}
  std::uint64_t next() noexcept;
  std::uint64_t below(std::uint64_t n) noexcept { return n == 0 ? 0 : next() % n; }
  double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

private:
  std::uint64_t state_;
};

// What does not move during the session.
struct instrument {
  std::string symbol;
  std::string name;
  std::int64_t base_price = 0; // previous close
  std::int64_t shares = 0;     // listed shares, for the market cap
  std::int64_t eps = 0;
  std::int64_t bps = 0;
};

class market final : public tape {
public:
  market(std::vector<std::string> symbols, std::uint64_t seed,
         std::shared_ptr<const wall_clock> clock, std::chrono::milliseconds step);

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

  // Trades after step `cursor`, oldest first; moves the cursor to the current step. Only the
  // most recent trades are kept, so a long-idle cursor skips ahead.
  std::vector<kis::trade_tick> trades_since(std::string_view symbol, std::int64_t& cursor) override;

  // Daily bars (period 'D'), or weeks/months/years folded from them ('W', 'M', 'Y'), between
  // two KST dates inclusive, newest first. Today's bar is the session so far.
  std::vector<kis::daily_bar> bars(std::string_view symbol, std::int32_t from, std::int32_t to,
                                   char period);
  // The 52-week high/low from the history, for inquire-price.
  std::pair<std::int64_t, std::int64_t> year_range(std::string_view symbol);

  static constexpr std::size_t kept_trades = 4096;

private:
  struct tape {
    instrument info;
    rng gen;
    std::int64_t step = -1; // last step generated
    std::int64_t price = 0;
    std::int64_t open = 0, high = 0, low = 0;
    std::int64_t volume = 0, turnover = 0;
    std::int64_t ask1 = 0, bid1 = 0;
    std::deque<kis::trade_tick> recent;  // the last kept_trades trades
    std::vector<kis::daily_bar> history; // oldest first, built on first use, excludes today
  };

  tape& at(std::string_view symbol);
  void advance(tape& t);
  void generate(tape& t);
  const std::vector<kis::daily_bar>& history(tape& t);
  kis::daily_bar today(const tape& t) const;

  std::uint64_t seed_;
  std::shared_ptr<const wall_clock> clock_;
  std::chrono::nanoseconds step_;
  std::int64_t origin_ns_;
  std::int32_t session_date_;
  std::int64_t manual_steps_ = 0;
  std::vector<std::string> order_;
  std::map<std::string, tape, std::less<>> tapes_;
};

} // namespace kis::sim
