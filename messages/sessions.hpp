// Trading sessions as values: which phase a venue is in, which order kinds it takes, and the
// change from one phase to the next (what strategies get as on_session). kis/sessions.hpp
// holds the calendar that produces them (KIS-PROTOCOL.md §9.6).
#pragma once

#include <cstdint>

#include <caf/meta/type_name.hpp>

#include "messages/orders.hpp"

namespace kis {

// The phases of a venue's day. closed: no session (night, weekend, holiday, or a gap such as
// KRX 15:30-15:40).
enum class session_kind : std::uint8_t {
  closed = 0,
  pre_market = 1,       // KRX 07:00-08:00 (from 2026-06-29), NXT 08:00-08:50
  pre_close_price = 2,  // KRX 장전 시간외 08:30-08:40, ORD_DVSN 05 at the previous close
  opening_auction = 3,  // KRX 장전 동시호가 08:30-09:00
  regular = 4,          // KRX 정규장 09:00-15:20, NXT main market 09:00-15:20
  closing_auction = 5,  // KRX 15:20-15:30
  post_close_price = 6, // KRX 장후 시간외 15:40-16:00, ORD_DVSN 06 at the close
  single_price = 7,     // KRX 시간외 단일가 16:00-18:00 (until 2026-06-26), ORD_DVSN 07
  after_market = 8,     // KRX 16:00-20:00 (from 2026-06-29), NXT 15:30-20:00
};

constexpr const char* to_cstr(session_kind k) noexcept {
  switch (k) {
  case session_kind::closed:
    return "closed";
  case session_kind::pre_market:
    return "pre_market";
  case session_kind::pre_close_price:
    return "pre_close_price";
  case session_kind::opening_auction:
    return "opening_auction";
  case session_kind::regular:
    return "regular";
  case session_kind::closing_auction:
    return "closing_auction";
  case session_kind::post_close_price:
    return "post_close_price";
  case session_kind::single_price:
    return "single_price";
  case session_kind::after_market:
    return "after_market";
  }
  return "unknown";
}

// ORD_DVSN codes as a bit set: bit n stands for code n ("00" limit is bit 0, "03" best limit
// bit 3, ...). order_kind values are their ORD_DVSN numbers.
using order_kind_mask = std::uint32_t;

constexpr order_kind_mask mask_of(order_kind k) noexcept {
  return order_kind_mask{1} << static_cast<unsigned>(k);
}

// One venue (krx or nxt) at one instant: its phase, the ORD_DVSN codes it takes now, and when
// that changes next (UTC ns; 0 when the calendar has no later change).
struct venue_status {
  venue where = venue::krx;
  session_kind phase = session_kind::closed;
  order_kind_mask order_kinds = 0;
  std::int64_t since_ns = 0;
  std::int64_t until_ns = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, venue_status& x) {
  return f(caf::meta::type_name("venue_status"), x.where, x.phase, x.order_kinds, x.since_ns,
           x.until_ns);
}

// A venue went from one phase to another at at_ns (UTC); now is the status from then on.
struct session_change {
  session_kind previous = session_kind::closed;
  venue_status now;
  std::int64_t at_ns = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_change& x) {
  return f(caf::meta::type_name("session_change"), x.previous, x.now, x.at_ns);
}

} // namespace kis
