// Values of the real-time side: registrations on the one WebSocket session and its state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/market.hpp"

namespace kis {

// What a registration carries: trades (H0STCNT0), the order book (H0STASP0) or execution
// notices (H0STCNI0 real / H0STCNI9 paper, keyed by HTS ID).
enum class feed_channel : std::uint8_t { trades = 0, book = 1, notices = 2 };

constexpr const char* to_cstr(feed_channel c) noexcept {
  switch (c) {
  case feed_channel::trades:
    return "trades";
  case feed_channel::book:
    return "book";
  case feed_channel::notices:
    return "notices";
  }
  return "unknown";
}

// Ask the feed for a registration. Past the 41 cap the answer is errc::ws_cap_reached.
// market picks the TR family of trades and books: KRX (H0ST...), NXT (H0NX...) or combined
// (H0UN...); the NXT and combined TRs exist on the real server only. Notices ignore it.
struct subscribe_request {
  feed_channel channel = feed_channel::trades;
  std::string key;           // symbol, or the HTS ID for notices
  std::int32_t priority = 0; // higher keeps its slot when slots are short
  market_code market = market_code::krx;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subscribe_request& x) {
  return f(caf::meta::type_name("subscribe_request"), x.channel, x.key, x.priority, x.market);
}

// The feed's answer: the registration is held (shared by all who asked for it).
struct subscription {
  feed_channel channel = feed_channel::trades;
  std::string key;
  std::uint32_t sharers = 0; // how many subscribers share this registration
  std::uint32_t slots_used = 0;
  std::uint32_t slots_cap = 0;
  market_code market = market_code::krx;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subscription& x) {
  return f(caf::meta::type_name("subscription"), x.channel, x.key, x.sharers, x.slots_used,
           x.slots_cap, x.market);
}

// What a source knows about how much a symbol deserves a WebSocket slot (the feed's slot
// ranking): the executor reports the symbols it holds orders or positions in (pinned) and the
// signals strategies sent for each, every analyzer the recent activity of its symbols. A
// source's newest report replaces its previous one.
struct symbol_interest {
  std::string symbol;
  bool pinned = false;       // an open order or a position: keeps a slot before anything else
  bool followed = false;     // a strategy follows it
  double turnover = 0;       // KRW traded since the source's previous report
  double range_pct = 0;      // (high - low) / low over the same window, in percent
  std::uint64_t signals = 0; // signals for the symbol since the start (a running count)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, symbol_interest& x) {
  return f(caf::meta::type_name("symbol_interest"), x.symbol, x.pinned, x.followed, x.turnover,
           x.range_pct, x.signals);
}

struct interest_report {
  std::string source; // "executor", an analyzer's name
  std::vector<symbol_interest> symbols;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, interest_report& x) {
  return f(caf::meta::type_name("interest_report"), x.source, x.symbols);
}

// The feed's session, as a subscriber or a person sees it.
struct feed_status {
  bool connected = false;
  std::uint32_t slots_used = 0;
  std::uint32_t slots_cap = 41;
  std::uint64_t reconnects = 0;
  std::uint64_t frames = 0;
  std::uint64_t records = 0;
  std::uint64_t dropped = 0; // events dropped for slow subscribers
  std::uint64_t parse_errors = 0;
  std::uint64_t pings_answered = 0;
  std::int64_t last_recovery_ns = 0; // time from drop to all registrations back
  bool market_closed = false;        // market data released until the next open (#14)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, feed_status& x) {
  return f(caf::meta::type_name("feed_status"), x.connected, x.slots_used, x.slots_cap,
           x.reconnects, x.frames, x.records, x.dropped, x.parse_errors, x.pings_answered,
           x.last_recovery_ns, x.market_closed);
}

} // namespace kis
