// The simulator's synthetic market: per symbol a seeded random walk on the KRX tick grid inside
// the daily +-30% band, a daily history for the chart endpoints, today's minute bars, and a
// ten-level book around the last trade; for the ~800 Nextrade names a second tape, the NXT
// book, that prints at the KRX price give or take a tick while both trade and walks on its
// own in NXT's pre- and after-market. Plain C++ (no Beast, no locking): the owner serialises
// access.
//
// Market time is the market clock plus explicit steps: step k happens at origin + k * step,
// so the same seed and the same steps give the same prices no matter when anyone looks. A
// symbol advances lazily, when someone looks at it: 2,700 listed symbols cost only what is
// watched. A step prints a trade with the instrument's trade_share; a share of the printing
// steps prints several trades at once (a sweep), more around the open and the close, which the
// feed then sends as one multi-record frame, as KIS does.
//
// Without a calendar both venues trade at every step and the session date never changes (the
// market the engine's tests have always had). With one, a venue prints only while its
// calendar says it trades, closed stretches are skipped, and a new trading day rolls the
// tapes: yesterday's KRX close becomes the base price and joins the history.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kis/clock.hpp"
#include "kis/sessions.hpp"
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
  // burst_share: the share of printing steps that print several trades at once. calendar:
  // when given, the hours, weekends and holidays during which each venue trades.
  market(std::vector<std::string> symbols, std::uint64_t seed,
         std::shared_ptr<const wall_clock> clock, std::chrono::milliseconds step,
         double burst_share = 0.3, std::optional<sessions::calendar> calendar = std::nullopt);

  bool known(std::string_view symbol) const override;
  const std::vector<std::string>& symbols() const noexcept { return order_; }
  // symbol must be known; base_price is the previous KRX close (it moves when a day rolls).
  const instrument& info(std::string_view symbol) const override;

  // Market time: the market clock plus the explicit steps.
  void step(std::int64_t steps) noexcept { manual_steps_ += steps; }
  std::int64_t current_step() const noexcept override;
  std::int64_t step_time_ns(std::int64_t step) const noexcept;
  std::int64_t now_ns() const noexcept override;
  // Today's KST date: fixed at construction without a calendar, the market clock's with one.
  std::int32_t session_date() const noexcept override;

  // The calendar, or null when the market never closes.
  const sessions::calendar* calendar() const noexcept override {
    return calendar_ ? &*calendar_ : nullptr;
  }
  // Whether a venue has continuous trading now (always without a calendar).
  bool trading(venue v) const override;

  // Snapshots at the current step (symbol must be known). venue: krx or nxt (sor and unset
  // count as krx); for a symbol Nextrade does not trade the NXT snapshot is empty (zeros, no
  // levels). Before a venue's first print of the day its price is the base price.
  kis::quote quote(std::string_view symbol, venue v = venue::krx);
  kis::order_book book(std::string_view symbol, venue v = venue::krx);
  std::int64_t last_price(std::string_view symbol, venue v = venue::krx) override;
  std::int64_t last_trade_ns(std::string_view symbol, venue v = venue::krx);
  // The best bid and ask of a venue's book ({0, 0} for NXT on a symbol it does not trade).
  std::pair<std::int64_t, std::int64_t> top_of_book(std::string_view symbol,
                                                    venue v = venue::krx) override;

  // Trades printed after step `cursor`, oldest first (several may share a step); moves the
  // cursor to the current step. Only the most recent trades are kept, so a long-idle cursor
  // skips ahead.
  std::vector<kis::trade_tick> trades_since(std::string_view symbol, std::int64_t& cursor,
                                            venue v = venue::krx) override;

  // Daily bars (period 'D'), or weeks/months/years folded from them ('W', 'M', 'Y'), between
  // two KST dates inclusive, newest first. Today's bar is the KRX session so far.
  std::vector<kis::daily_bar> bars(std::string_view symbol, std::int32_t from, std::int32_t to,
                                   char period);
  // Today's KRX minute bars up to and including the minute of `until_hhmmss`, newest first.
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
  // One venue's trading of one symbol today.
  struct venue_tape {
    explicit venue_tape(rng g) noexcept
        : gen(g) {}
    rng gen;
    bool opened = false; // printed today
    std::int64_t price = 0;
    std::int64_t open = 0, high = 0, low = 0;
    std::int64_t volume = 0, turnover = 0;
    std::int64_t ask1 = 0, bid1 = 0;
    std::int64_t last_print_step = 0;
    std::vector<print> ring; // the last kept_trades prints; ring[next % size] is the oldest
    std::size_t printed = 0; // prints so far
    std::vector<minute_bar> today_minutes;
  };
  struct tape {
    instrument info;
    std::int64_t step = -1; // last step generated
    std::int32_t day = 0;   // the trading day the tapes hold
    venue_tape krx, nxt;
    std::vector<kis::daily_bar> history; // oldest first, built on first use, excludes today
    std::vector<kis::daily_bar> rolled;  // days finished while the simulator ran
    std::int64_t first_base = 0;         // the base price before the first day
  };

  tape& at(std::string_view symbol);
  void advance(tape& t);
  std::int64_t skip_closed(const tape& t, std::int64_t target) const;
  void generate(tape& t);
  void roll_day(tape& t, std::int32_t day);
  void step_venue(tape& t, venue_tape& vt, double share, std::int64_t anchor, bool busy);
  void print_one(tape& t, venue_tape& vt, bool first_of_day, std::int64_t anchor);
  const print& recent(const venue_tape& vt, std::size_t back) const; // 0 = the newest
  kis::trade_tick tick_of(const tape& t, const venue_tape& vt, const print& p) const;
  std::string session_code(venue v, std::int64_t ns) const;
  const std::vector<kis::daily_bar>& history(tape& t);
  kis::daily_bar today(const tape& t) const;
  venue_tape& side(tape& t, venue v) const;

  std::uint64_t seed_;
  std::shared_ptr<const wall_clock> clock_;
  std::chrono::nanoseconds step_;
  double burst_share_;
  std::optional<sessions::calendar> calendar_;
  std::int64_t origin_ns_;
  std::int32_t origin_day_;
  std::int64_t manual_steps_ = 0;
  std::vector<std::string> order_;
  std::map<std::string, tape, std::less<>> tapes_;
};

} // namespace kis::sim
