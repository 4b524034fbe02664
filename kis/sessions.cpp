#include "kis/sessions.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "kis/kst.hpp"

namespace kis::sessions {

namespace {

namespace kst = api::kst;

constexpr std::int64_t ns_per_s = 1'000'000'000;
constexpr int horizon_days = 370; // how far next_open / next_change look
constexpr int lookback_days = 31; // how far status().since_ns looks back

constexpr std::int32_t hm(int h, int m, int s = 0) noexcept {
  return h * 3600 + m * 60 + s;
}

constexpr order_kind_mask codes(std::initializer_list<unsigned> list) noexcept {
  order_kind_mask m = 0;
  for (auto c : list)
    m |= order_kind_mask{1} << c;
  return m;
}

// The kinds of orders each kind of session takes (KIS-PROTOCOL.md §4.4, §9.2, §9.6).
constexpr order_kind_mask ioc_fok = codes({11, 12, 13, 14, 15, 16});
constexpr order_kind_mask krx_regular = codes({0, 1, 2, 3, 4, 21, 22, 23, 24}) | ioc_fok;
constexpr order_kind_mask nxt_regular = codes({0, 3, 4, 21, 22, 23, 24}) | ioc_fok;
// NXT pre/after-market: limit, best and top-of-book only (news; a 3P APBK3013 capture).
constexpr order_kind_mask extended = codes({0, 3, 4});
// KRX auctions: UNCONFIRMED; single-price auctions take limit, market and conditional orders.
constexpr order_kind_mask auction = codes({0, 1, 2});

// Where two sessions overlap, the phase shown is the one ranked higher here.
int rank(session_kind k) noexcept {
  constexpr std::array<int, 9> by_kind{0, 3, 1, 5, 8, 7, 2, 4, 6};
  return by_kind[static_cast<std::size_t>(k)];
}

std::int32_t day_of(std::int64_t utc_ns) noexcept {
  return kst::date_of(utc_ns);
}

venue as_venue(venue v) noexcept {
  return v == venue::unset ? venue::krx : v;
}

bool same(const venue_status& a, const venue_status& b) noexcept {
  return a.phase == b.phase && a.order_kinds == b.order_kinds;
}

} // namespace

calendar::calendar(std::vector<session> sessions, std::set<std::int32_t> holidays)
    : sessions_(std::move(sessions))
    , holidays_(std::move(holidays)) {}

std::int64_t kst_instant(std::int32_t yyyymmdd, std::int32_t second_of_day) noexcept {
  return kst::midnight(yyyymmdd) + std::int64_t{second_of_day} * ns_per_s;
}

bool krx_main_session(const calendar& cal, std::int64_t utc_ns) {
  const auto phase = cal.phase(venue::krx, utc_ns).phase;
  return phase == session_kind::regular || phase == session_kind::closing_auction;
}

std::set<std::int32_t> holidays_2026() {
  // KRX's weekday closed days of 2026 (3P and the public calendar; verify against KRX), and New
  // Year 2027 so that a run across the year end does not open on it.
  return {20260101, 20260216, 20260217, 20260218, 20260302, 20260501, 20260505, 20260525, 20260603,
          20260817, 20260924, 20260925, 20261005, 20261009, 20261225, 20261231, 20270101};
}

calendar calendar::year_2026() {
  using k = session_kind;
  const auto krx = venue::krx, nxt = venue::nxt;
  std::vector<session> s{
      // KRX from 2026-06-29: pre-market 07:00-08:00 (order types UNCONFIRMED: NXT-like).
      {krx, k::pre_market, hm(7, 0), hm(8, 0), extended, true, 0, krx_extension_day, 0},
      {krx, k::pre_close_price, hm(8, 30), hm(8, 40), codes({5}), false, 0, 0, 0},
      {krx, k::opening_auction, hm(8, 30), hm(9, 0), auction, false, 0, 0, 0},
      {krx, k::regular, hm(9, 0), hm(15, 20), krx_regular, true, 0, 0, 0},
      {krx, k::closing_auction, hm(15, 20), hm(15, 30), auction, false, 0, 0, 0},
      {krx, k::post_close_price, hm(15, 40), hm(16, 0), codes({6}), false, 0, 0, 0},
      // Until 2026-06-26 the single-price session; from 2026-06-29 the after-market in its
      // place (order types UNCONFIRMED: NXT-like).
      {krx, k::single_price, hm(16, 0), hm(18, 0), codes({7}), false, 0, 0, krx_extension_day},
      {krx, k::after_market, hm(16, 0), hm(20, 0), extended, true, 0, krx_extension_day, 0},
      // Nextrade: pre-market, main market (a 09:00:30 start is UNCONFIRMED), after-market
      // (order entry from 15:30, matching from 15:40).
      {nxt, k::pre_market, hm(8, 0), hm(8, 50), extended, true, 0, nxt_launch_day, 0},
      {nxt, k::regular, hm(9, 0), hm(15, 20), nxt_regular, true, 0, nxt_launch_day, 0},
      {nxt, k::after_market, hm(15, 30), hm(20, 0), extended, true, hm(15, 40), nxt_launch_day, 0},
  };
  return calendar{std::move(s), holidays_2026()};
}

void calendar::apply(std::span<const market_day> days) {
  for (const auto& d : days) {
    if (!kst::valid_date(d.date))
      continue;
    const auto wd = kst::weekday(d.date);
    if (wd == 0 || wd == 6)
      continue; // weekends are closed whatever a row says
    if (d.open)
      holidays_.erase(d.date);
    else
      holidays_.insert(d.date);
  }
}

bool calendar::open_day(std::int32_t yyyymmdd) const {
  if (!kst::valid_date(yyyymmdd))
    return false;
  const auto wd = kst::weekday(yyyymmdd);
  return wd != 0 && wd != 6 && holidays_.count(yyyymmdd) == 0;
}

bool calendar::runs_on(const session& s, std::int32_t day) const {
  return (s.from_day == 0 || day >= s.from_day) && (s.until_day == 0 || day < s.until_day) &&
         open_day(day);
}

std::vector<const session*> calendar::active(venue v, std::int64_t utc_ns) const {
  v = as_venue(v);
  std::vector<const session*> out;
  const auto day = day_of(utc_ns);
  const auto sec = kst::second_of_day(utc_ns);
  for (const auto& s : sessions_)
    if (s.where == v && sec >= s.start_s && sec < s.end_s && runs_on(s, day))
      out.push_back(&s);
  return out;
}

venue_status calendar::phase_at(venue v, std::int64_t utc_ns) const {
  venue_status st;
  st.where = as_venue(v);
  for (const auto* s : active(v, utc_ns)) {
    st.order_kinds |= s->order_kinds;
    if (st.phase == session_kind::closed || rank(s->kind) > rank(st.phase))
      st.phase = s->kind;
  }
  return st;
}

venue_status calendar::status(venue v, std::int64_t utc_ns) const {
  auto st = phase_at(v, utc_ns);
  st.until_ns = next_change(v, utc_ns);
  // Since: the latest boundary at or before t across which the status changed.
  const auto today = day_of(utc_ns);
  for (int back = 0; back <= lookback_days; ++back) {
    auto marks = boundaries(v, kst::add_days(today, -back));
    for (auto it = marks.rbegin(); it != marks.rend(); ++it)
      if (*it <= utc_ns && !same(phase_at(v, *it - 1), st)) {
        st.since_ns = *it;
        return st;
      }
  }
  return st;
}

bool calendar::is_open(venue v, std::int64_t utc_ns) const {
  return !active(v, utc_ns).empty();
}

bool calendar::trading(venue v, std::int64_t utc_ns) const {
  const auto sec = kst::second_of_day(utc_ns);
  for (const auto* s : active(v, utc_ns))
    if (s->trades && sec >= std::max(s->start_s, s->trades_from_s))
      return true;
  return false;
}

std::vector<venue> calendar::open_venues(std::int64_t utc_ns) const {
  std::vector<venue> out;
  for (auto v : {venue::krx, venue::nxt})
    if (is_open(v, utc_ns))
      out.push_back(v);
  return out;
}

bool calendar::any_open(std::span<const venue> venues, std::int64_t utc_ns) const {
  return std::any_of(venues.begin(), venues.end(), [&](venue v) {
    return v == venue::sor ? is_open(venue::krx, utc_ns) || is_open(venue::nxt, utc_ns)
                           : is_open(v, utc_ns);
  });
}

bool calendar::open_or_opening(std::span<const venue> venues, std::int64_t utc_ns,
                               std::int64_t lead_ns) const {
  if (any_open(venues, utc_ns))
    return true;
  const auto next = next_open(venues, utc_ns);
  return next != 0 && next - utc_ns <= lead_ns;
}

bool calendar::allows_code(venue v, unsigned ord_dvsn, std::int64_t utc_ns) const {
  if (ord_dvsn >= 32)
    return false;
  const auto bit = order_kind_mask{1} << ord_dvsn;
  auto takes = [&](venue where) {
    order_kind_mask m = 0;
    for (const auto* s : active(where, utc_ns))
      m |= s->order_kinds;
    return (m & bit) != 0;
  };
  if (v == venue::sor) {
    // SOR routes limit, market, best, top-of-book and IOC/FOK (KIS-PROTOCOL.md §9.2).
    constexpr order_kind_mask sor_kinds = codes({0, 1, 3, 4}) | ioc_fok;
    return (sor_kinds & bit) != 0 && (takes(venue::krx) || takes(venue::nxt));
  }
  return takes(as_venue(v));
}

bool calendar::allows(venue v, order_kind k, std::int64_t utc_ns) const {
  return allows_code(v, static_cast<unsigned>(k), utc_ns);
}

std::optional<api_error> calendar::check_order(venue v, order_kind k, std::int64_t utc_ns) const {
  if (allows(v, k, utc_ns))
    return std::nullopt;
  const auto code = static_cast<unsigned>(k);
  const std::string kind = (code < 10 ? "0" : "") + std::to_string(code);
  std::string where = v == venue::sor ? "SOR" : v == venue::nxt ? "NXT" : "KRX";
  std::string phase;
  if (v == venue::sor) {
    phase = std::string{to_cstr(status(venue::krx, utc_ns).phase)} + "/" +
            to_cstr(status(venue::nxt, utc_ns).phase);
  } else {
    phase = to_cstr(status(v, utc_ns).phase);
  }
  return api::make_api_error(errc::session_closed,
                             where + " (" + phase + ") does not take ORD_DVSN " + kind + " now");
}

std::vector<std::int64_t> calendar::boundaries(venue v, std::int32_t day) const {
  std::vector<std::int64_t> out;
  if (!open_day(day))
    return out;
  const auto midnight = kst::midnight(day);
  for (const auto& s : sessions_) {
    if (s.where != as_venue(v) || !runs_on(s, day))
      continue;
    out.push_back(midnight + s.start_s * ns_per_s);
    out.push_back(midnight + s.end_s * ns_per_s);
    if (s.trades && s.trades_from_s > s.start_s && s.trades_from_s < s.end_s)
      out.push_back(midnight + s.trades_from_s * ns_per_s);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

template <class Pred>
std::int64_t calendar::first_boundary_after(venue v, std::int64_t utc_ns, Pred pred) const {
  const auto today = day_of(utc_ns);
  for (int ahead = 0; ahead <= horizon_days; ++ahead)
    for (auto b : boundaries(v, kst::add_days(today, ahead)))
      if (b > utc_ns && pred(b))
        return b;
  return 0;
}

std::int64_t calendar::next_change(venue v, std::int64_t utc_ns) const {
  const auto now = phase_at(v, utc_ns);
  return first_boundary_after(v, utc_ns,
                              [&](std::int64_t b) { return !same(phase_at(v, b), now); });
}

std::int64_t calendar::next_open(venue v, std::int64_t utc_ns) const {
  if (v == venue::sor) {
    const std::array<venue, 2> both{venue::krx, venue::nxt};
    return next_open(both, utc_ns);
  }
  if (is_open(v, utc_ns))
    return utc_ns;
  return first_boundary_after(v, utc_ns, [&](std::int64_t b) { return is_open(v, b); });
}

std::int64_t calendar::next_trading(venue v, std::int64_t utc_ns) const {
  if (trading(v, utc_ns))
    return utc_ns;
  return first_boundary_after(v, utc_ns, [&](std::int64_t b) { return trading(v, b); });
}

std::int64_t calendar::next_open(std::span<const venue> venues, std::int64_t utc_ns) const {
  std::int64_t best = 0;
  for (auto v : venues) {
    auto t = next_open(v, utc_ns);
    if (t != 0 && (best == 0 || t < best))
      best = t;
  }
  return best;
}

std::vector<session_change> calendar::changes_between(venue v, std::int64_t from_ns,
                                                      std::int64_t to_ns) const {
  std::vector<session_change> out;
  auto prev = phase_at(v, from_ns);
  for (auto t = next_change(v, from_ns); t != 0 && t <= to_ns; t = next_change(v, t)) {
    auto now = status(v, t);
    out.push_back(session_change{prev.phase, now, t});
    prev = now;
  }
  return out;
}

std::int64_t calendar::session_end(venue v, session_kind kind, std::int64_t utc_ns) const {
  for (const auto* s : active(v, utc_ns))
    if (s->kind == kind)
      return kst::midnight(day_of(utc_ns)) + s->end_s * ns_per_s;
  return 0;
}

} // namespace kis::sessions
