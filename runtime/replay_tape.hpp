// The fill model's market in replay and backtest: recorded trades (and, before a symbol's first
// trade, its recorded book or REST quote) printed in the order they were received, on the
// virtual clock. kis-sim's matching engine (sim::exchange) matches orders against it through
// sim/tape.hpp, so a replayed strategy's resting order fills when a recorded trade crosses it.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kis/clock.hpp"
#include "messages/market.hpp"
#include "sim/market.hpp"
#include "sim/tape.hpp"

namespace kis::runtime {

class replay_tape final : public sim::tape {
public:
  explicit replay_tape(std::shared_ptr<const wall_clock> clock);

  // A recorded trade, as the engine's frame parser reads H0STCNT0. Its change field gives the
  // base price (previous close); a new KST day starts the day's figures again.
  void print(const kis::trade_tick& t);
  // A recorded book: its best bid and ask; the mid seeds a symbol that has not traded yet.
  void show_book(const kis::order_book& b);
  // A recorded REST quote of a symbol that trades on no WebSocket slot: the volume it added
  // since the previous quote prints as one trade at its price.
  void show_quote(const kis::quote& q);

  // Whether a WebSocket trade of the symbol has printed.
  bool traded(std::string_view symbol) const;
  // inquire-price's body as KIS writes it, from what has printed; empty when nothing has.
  std::string quote_body(std::string_view symbol) const;
  std::vector<std::string> symbols() const;

  // sim::tape
  bool known(std::string_view symbol) const override;
  const sim::instrument& info(std::string_view symbol) const override;
  std::int64_t current_step() const noexcept override { return step_; }
  std::int64_t now_ns() const noexcept override { return clock_->now_ns(); }
  std::int32_t session_date() const noexcept override;
  // A recorded KRX tape: Nextrade has no prints, no book and never trades here; the session
  // rules of replay are the venue's (venue_options::session_rules), not a calendar here.
  const sessions::calendar* calendar() const noexcept override { return nullptr; }
  bool trading(venue v) const override { return v != venue::nxt; }
  std::int64_t last_price(std::string_view symbol, venue v) override;
  std::pair<std::int64_t, std::int64_t> top_of_book(std::string_view symbol, venue v) override;
  std::vector<kis::trade_tick> trades_since(std::string_view symbol, std::int64_t& cursor,
                                            venue v) override;

  static constexpr std::size_t kept_trades = 4096;

private:
  struct printed {
    std::int64_t step = 0;
    kis::trade_tick tick;
  };
  struct symbol_tape {
    sim::instrument info;
    std::int32_t day = 0;
    std::int64_t last = 0, open = 0, high = 0, low = 0, volume = 0, turnover = 0;
    std::int64_t bid = 0, ask = 0;
    std::int64_t quote_volume = 0; // acml_vol of the previous REST quote
    bool traded = false;
    std::deque<printed> recent;
  };

  symbol_tape& at(const std::string& symbol);
  void add_print(symbol_tape& s, kis::trade_tick t);

  std::shared_ptr<const wall_clock> clock_;
  std::map<std::string, symbol_tape, std::less<>> symbols_;
  std::int64_t step_ = 0;
};

} // namespace kis::runtime
