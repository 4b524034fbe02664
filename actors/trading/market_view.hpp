// The order executor's view of the market: the newest price of every symbol the analyzers
// watch, whether it came over the WebSocket or from a poll, so that a covered order needs no
// quote call of its own. A price is fresh while it is younger than the time its source said
// it may stand for (a polled symbol's interval, a streamed symbol's few seconds). Plain code.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "messages/market.hpp"

namespace kis {

class market_view {
public:
  using time_point = std::chrono::steady_clock::time_point;

  // Newer prices replace older ones; a quote's missing limits are derived from its base price.
  void apply(const price_update& u, time_point now);
  // A quote from the executor's own REST call (fresh for max_age).
  void apply_quote(const quote& q, std::chrono::nanoseconds max_age, time_point now);

  // The symbol's quote when it is still fresh at `now`.
  std::optional<quote> fresh(const std::string& symbol, time_point now) const;
  std::size_t size() const noexcept { return by_symbol_.size(); }

private:
  struct entry {
    quote q;
    time_point at;
    std::chrono::nanoseconds valid_for{0};
  };
  std::map<std::string, entry> by_symbol_;
};

} // namespace kis
