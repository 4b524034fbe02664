// Values flowing from analyzers to strategies.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace kis {

// An intraday bar built by an analyzer from ticks or polled quotes.
struct bar {
  std::string symbol;
  std::int64_t start_ns = 0;
  std::int32_t seconds = 60;
  std::int64_t open = 0;
  std::int64_t high = 0;
  std::int64_t low = 0;
  std::int64_t close = 0;
  std::int64_t volume = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, bar& x) {
  return f(caf::meta::type_name("bar"), x.symbol, x.start_ns, x.seconds, x.open, x.high, x.low,
           x.close, x.volume);
}

// Indicators an analyzer keeps incrementally per symbol. 0 means "not enough data yet".
struct indicators {
  double sma_fast = 0;
  double sma_slow = 0;
  double ema = 0;
  double vwap = 0;
  std::int64_t day_high = 0;
  std::int64_t day_low = 0;
  std::int64_t day_volume = 0;
  std::int32_t bars = 0; // closed bars so far
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, indicators& x) {
  return f(caf::meta::type_name("indicators"), x.sma_fast, x.sma_slow, x.ema, x.vwap, x.day_high,
           x.day_low, x.day_volume, x.bars);
}

enum class event_kind : std::uint8_t { tick = 0, quote = 1, bar_closed = 2, history = 3 };

// What a strategy sees: the event, the last bar and the indicators after it.
struct market_event {
  event_kind kind = event_kind::tick;
  std::string symbol;
  std::int64_t price = 0;
  std::int64_t qty = 0;
  std::int64_t exchange_ns = 0;
  std::int64_t received_ns = 0; // when the feed or gateway got it, for latency
  bar last_bar;
  indicators ind;
  std::vector<bar> history; // daily bars, only for event_kind::history
  std::int64_t bid = 0;     // best bid / ask when known (book events, ticks), else 0
  std::int64_t ask = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, market_event& x) {
  return f(caf::meta::type_name("market_event"), x.kind, x.symbol, x.price, x.qty, x.exchange_ns,
           x.received_ns, x.last_bar, x.ind, x.history, x.bid, x.ask);
}

// A symbol's daily history as fetched on one trading day, for the history cache: a restart on
// the same day reads it instead of spending REST calls again.
struct daily_history {
  std::string symbol;
  std::int32_t as_of = 0; // KST trading day (YYYYMMDD) it was fetched on
  std::int32_t days = 0;  // how many days were asked for
  std::vector<bar> bars;  // oldest first
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, daily_history& x) {
  return f(caf::meta::type_name("daily_history"), x.symbol, x.as_of, x.days, x.bars);
}

} // namespace kis
