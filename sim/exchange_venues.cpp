// The exchange's venue rules: what each route takes, what the session takes now, where an SOR
// order goes, the price of a book-priced order, and when an order expires.
#include <algorithm>

#include "kis/kst.hpp"
#include "kis/venues.hpp"
#include "sim/exchange.hpp"
#include "sim/order_answers.hpp"

namespace kis::sim {

using namespace answers;

// Whether a route may take the order at all: paper is KRX only, NXT lists its symbols only.
verdict exchange::check_venue(const std::string& symbol, venue route) const {
  if (paper_ && route != venue::krx)
    return paper_krx_only();
  if (route == venue::nxt && !m_.info(symbol).nxt)
    return not_on_nxt();
  return {};
}

// The ORD_DVSN codes a route takes whatever the hour (NXT: no market or conditional orders).
verdict exchange::check_route_kind(venue route, std::string_view kind) const {
  const auto code = kind_number(kind);
  if (code > 31 || (api::venue_order_kinds(route) & (order_kind_mask{1} << code)) == 0)
    return bad_kind();
  return {};
}

// Whether the venue's session takes the kind now; nullopt when it does (or there is no
// calendar: the market never closes). Pre- and after-market refusals carry APBK3013 whatever
// the kind, a market order KRX cannot take APBK1943 (both observed, KIS-PROTOCOL.md §9.2).
std::optional<verdict> exchange::session_refusal(venue where, std::string_view kind) const {
  const auto* cal = m_.calendar();
  if (cal == nullptr)
    return std::nullopt;
  const auto now = m_.now_ns();
  if (!cal->is_open(where, now))
    return closed_market(paper_);
  if (cal->allows_code(where, kind_number(kind), now))
    return std::nullopt;
  const auto phase = cal->phase(where, now).phase;
  if (phase == session_kind::pre_market || phase == session_kind::after_market)
    return extended_kinds_only(phase == session_kind::after_market);
  if (market_kind(kind))
    return no_market_order();
  return bad_kind();
}

// The venue an order rests on: its route, or for SOR the open venue with the better price for
// it (the lower ask for a buy, the higher bid for a sell; KRX on a tie and for a symbol
// Nextrade does not trade).
venue exchange::choose(const std::string& symbol, venue route, side dir, std::string_view kind) {
  if (route != venue::sor)
    return route;
  const bool krx_ok = !session_refusal(venue::krx, kind);
  const bool nxt_ok = m_.info(symbol).nxt && !session_refusal(venue::nxt, kind);
  if (krx_ok != nxt_ok)
    return nxt_ok ? venue::nxt : venue::krx;
  if (!nxt_ok)
    return venue::krx; // neither takes it now: KRX's refusal is the answer
  const auto [krx_bid, krx_ask] = m_.top_of_book(symbol, venue::krx);
  const auto [nxt_bid, nxt_ask] = m_.top_of_book(symbol, venue::nxt);
  const bool nxt_better = dir == side::buy ? nxt_ask < krx_ask : nxt_bid > krx_bid;
  return nxt_better ? venue::nxt : venue::krx;
}

// The price an order works at: its limit, or from the book for 03 (the other side's best)
// and 04 (its own side's best).
std::int64_t exchange::working_price(const std::string& symbol, venue where, side dir,
                                     std::string_view kind, std::int64_t price) {
  if (market_kind(kind))
    return 0;
  if (!book_priced(kind))
    return price;
  const auto [bid, ask] = m_.top_of_book(symbol, where);
  const bool other_side = kind == "03";
  return (dir == side::buy) == other_side ? ask : bid;
}

// When an order placed now expires: with its pre- or after-market (and close-price) session on
// KRX, at the end of KRX's day session (15:30) for day orders, at the end of Nextrade's day
// (20:00) there. 0 without a calendar.
std::int64_t exchange::expiry(venue where) const {
  const auto* cal = m_.calendar();
  if (cal == nullptr)
    return 0;
  const auto now = m_.now_ns();
  const auto phase = cal->phase(where, now).phase;
  const bool day_session = where == venue::nxt || phase == session_kind::opening_auction ||
                           phase == session_kind::regular || phase == session_kind::closing_auction;
  if (!day_session)
    return cal->session_end(where, phase, now);
  const auto day = api::kst::date_of(now);
  std::int32_t end_s = 0;
  for (const auto& s : cal->sessions()) {
    const bool runs =
        (s.from_day == 0 || day >= s.from_day) && (s.until_day == 0 || day < s.until_day);
    const bool counts = where == venue::nxt
                            ? s.where == venue::nxt
                            : s.where == venue::krx && (s.kind == session_kind::opening_auction ||
                                                        s.kind == session_kind::regular ||
                                                        s.kind == session_kind::closing_auction);
    if (runs && counts)
      end_s = std::max(end_s, s.end_s);
  }
  return api::kst::midnight(day) + std::int64_t{end_s} * 1'000'000'000;
}

} // namespace kis::sim
