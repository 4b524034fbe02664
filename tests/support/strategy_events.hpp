// Synthetic events for driving a strategy directly (C++ or Python): a tick, a closed one-minute
// bar, and the clock they are stamped on.
#pragma once

#include <cstdint>
#include <string>

#include "messages/events.hpp"

namespace kis::test {

inline constexpr std::int64_t minute_ns = 60'000'000'000;
inline constexpr std::int64_t day0 = 1'767'225'600'000'000'000 - 9 * 3'600'000'000'000; // 00:00 KST

// A trade of one share of `sym` at `px`, stamped `at`.
inline market_event tick(std::string sym, std::int64_t px, std::int64_t at = 1) {
  market_event ev;
  ev.kind = event_kind::tick;
  ev.symbol = std::move(sym);
  ev.price = px;
  ev.qty = 1;
  ev.exchange_ns = at;
  return ev;
}

// A closed one-minute bar of `sym` starting at `at`, closing at `close`; high and low are
// `close` unless given.
inline market_event bar_event(std::string sym, std::int64_t close, std::int64_t at,
                              std::int64_t hi = 0, std::int64_t lo = 0) {
  market_event ev;
  ev.kind = event_kind::bar_closed;
  ev.symbol = sym;
  ev.price = close;
  ev.exchange_ns = at;
  ev.last_bar = bar{sym, at, 60, close, hi != 0 ? hi : close, lo != 0 ? lo : close, close, 10};
  return ev;
}

} // namespace kis::test
