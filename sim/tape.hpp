// What the simulator's matching engine (sim::exchange) needs of a market: which symbols exist
// and their base prices, the market clock, each venue's last price, top of book and trades
// printed since a cursor, and the calendar when there is one. sim::market (the seeded synthetic
// market) is one; kis-engine's replay and backtest feed another from recorded trades and books, so
// orders there fill against what happened.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "messages/market.hpp"
#include "messages/orders.hpp"

namespace kis::sessions {
class calendar;
}

namespace kis::sim {

struct instrument;

class tape {
public:
  virtual ~tape() = default;

  virtual bool known(std::string_view symbol) const = 0;
  virtual const instrument& info(std::string_view symbol) const = 0; // symbol must be known
  // A counter that only grows: trades_since(symbol, cursor) returns what came after it.
  virtual std::int64_t current_step() const noexcept = 0;
  virtual std::int64_t now_ns() const noexcept = 0;
  virtual std::int32_t session_date() const noexcept = 0;
  // The calendar whose sessions the venues keep; null when the market never closes.
  virtual const sessions::calendar* calendar() const noexcept = 0;
  // Whether a venue (krx or nxt) has continuous trading now.
  virtual bool trading(venue v) const = 0;
  virtual std::int64_t last_price(std::string_view symbol, venue v) = 0;
  // The venue's best bid and ask ({0, 0} where it has no book).
  virtual std::pair<std::int64_t, std::int64_t> top_of_book(std::string_view symbol, venue v) = 0;
  // The venue's trades after `cursor`, oldest first; moves the cursor to the current step.
  virtual std::vector<kis::trade_tick> trades_since(std::string_view symbol, std::int64_t& cursor,
                                                    venue v) = 0;
};

} // namespace kis::sim
