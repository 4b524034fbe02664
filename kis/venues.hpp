// The venues on the wire (KIS-PROTOCOL.md §9.1-9.5): EXCG_ID_DVSN_CD of orders and of the
// daily-fills query, ORD_EXG_GB of notices, FID_COND_MRKT_DIV_CODE of quotes, and the checks
// an order's venue must pass before any call (environment, symbol, order kind). Sessions and
// hours are in kis/sessions.hpp. Pure functions, no I/O.
#pragma once

#include <optional>
#include <string_view>

#include "kis/endpoints.hpp"
#include "kis/result.hpp"
#include "messages/market.hpp"
#include "messages/orders.hpp"
#include "messages/sessions.hpp"

namespace kis::api {

// EXCG_ID_DVSN_CD of an order or a revise/cancel: "KRX", "NXT", "SOR"; unset is sent as KRX,
// which is also what KIS assumes when the field is absent.
std::string_view venue_code(venue v) noexcept;

// excg_id_dvsn_cd as KIS writes it ("KRX", "NXT", "SOR"); nullopt for anything else, blank
// included.
std::optional<venue> parse_venue_code(std::string_view code) noexcept;

// EXCG_ID_DVSN_CD of an inquire-daily-ccld query. automatic: ALL on real, KRX on paper (which
// lists KRX only, DOC: "모의투자는 KRX만 제공"); all on paper is KRX for the same reason. NXT or
// SOR on paper: errc::venue_refused.
result<std::string_view> scope_code(venue_scope scope, environment env);

// ORD_EXG_GB of a notice: "1" KRX, "2" NXT, "3" SOR to KRX, "4" SOR to NXT. Anything else
// (blank, the older layout without the field) is unknown: a notice is never lost over it.
exec_venue parse_exec_venue(std::string_view code) noexcept;
std::string_view exec_venue_code(exec_venue v) noexcept; // "" for unknown

// FID_COND_MRKT_DIV_CODE of quotes and charts: "J" KRX, "NX" Nextrade, "UN" combined.
std::string_view market_div_code(market_code m) noexcept;
std::optional<market_code> parse_market_div_code(std::string_view code) noexcept;

// The ORD_DVSN codes a route takes at all, whatever the hour (KIS-PROTOCOL.md §4.4):
// KRX 00-07, 11-16, 21-24; NXT 00, 03, 04, 11-16, 21-24; SOR 00, 01, 03, 04, 11-16. unset
// counts as KRX.
order_kind_mask venue_order_kinds(venue v) noexcept;

// The venue an order goes to: its own route, else the strategy's default, else KRX.
constexpr venue effective_venue(venue route, venue strategy_default = venue::unset) noexcept {
  if (route != venue::unset)
    return route;
  return strategy_default != venue::unset ? strategy_default : venue::krx;
}

// Whether an order may go to a venue at all, before any call and apart from the hour: paper
// takes KRX only; NXT needs a symbol Nextrade trades (pass false while eligibility is not
// known); the venue must take the order kind. SOR of a symbol Nextrade does not trade is
// allowed (KIS routes it to KRX). nullopt when it may, else errc::venue_refused saying why.
std::optional<api_error> check_venue(venue v, environment env, order_kind kind, bool nxt_eligible);

} // namespace kis::api
