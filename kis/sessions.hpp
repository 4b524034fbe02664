// The trading calendar of KRX and Nextrade as data (KIS-PROTOCOL.md §9.6, §9.7): each venue's
// sessions with their KST hours, the ORD_DVSN codes each takes and the dates it runs, plus the
// days the market is shut. Pure functions of a UTC instant answer which session is running,
// whether an order kind is allowed now, which venues are open, and when the next open or
// change comes. Everything is KST; the host's time zone is never consulted.
//
// Facts marked UNCONFIRMED in KIS-PROTOCOL.md are defaults here that a [sessions] table can
// override (calendar_with_settings below; keys in docs/sessions.md).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "kis/result.hpp"
#include "messages/market.hpp"
#include "messages/sessions.hpp"

namespace kis::sessions {

using api::api_error;
using api::result;

// KRX's own pre-market and after-market start on this day; the 16:00-18:00 single-price
// session ends the trading day before (news of 2026-01).
inline constexpr std::int32_t krx_extension_day = 20260629;
// Nextrade's first trading day.
inline constexpr std::int32_t nxt_launch_day = 20250304;

// One session of one venue on the days it runs. Hours are seconds after 00:00 KST, end
// exclusive; a session never crosses midnight. trades: continuous trading happens in it (from
// trades_from_s on when that is later than start_s: NXT's after-market takes orders from 15:30
// and matches from 15:40); false for auctions and the close-price sessions, where orders wait
// for a single price.
struct session {
  venue where = venue::krx; // krx or nxt
  session_kind kind = session_kind::regular;
  std::int32_t start_s = 0;
  std::int32_t end_s = 0;
  order_kind_mask order_kinds = 0;
  bool trades = true;
  std::int32_t trades_from_s = 0; // 0: from start_s
  std::int32_t from_day = 0;      // first day it runs (YYYYMMDD); 0: always
  std::int32_t until_day = 0;     // first day it no longer runs; 0: never ends
};

class calendar {
public:
  calendar() = default;
  calendar(std::vector<session> sessions, std::set<std::int32_t> holidays);

  // The 2026 schedule: KRX with its extension from 2026-06-29, Nextrade, and the 2026 closed
  // days (plus 2027-01-01) as the fallback holiday list.
  static calendar year_2026();

  const std::vector<session>& sessions() const noexcept { return sessions_; }
  const std::set<std::int32_t>& holidays() const noexcept { return holidays_; }

  // Holidays: replace the list, or correct it with what chk-holiday says (a weekday with
  // opnd_yn N becomes a holiday, one with Y stops being one).
  void set_holidays(std::set<std::int32_t> days) { holidays_ = std::move(days); }
  void apply(std::span<const market_day> days);

  // A weekday that is not a holiday (both venues share KRX's closed days).
  bool open_day(std::int32_t yyyymmdd) const;

  // The sessions of a venue running at t (UTC ns): none when closed, two where they overlap
  // (KRX 08:30-08:40: the opening auction and the pre-open close-price session).
  std::vector<const session*> active(venue v, std::int64_t utc_ns) const;
  // The venue's phase at t (the leading session where two overlap), the ORD_DVSN codes it
  // takes (all running sessions together), since when and until when that holds.
  venue_status status(venue v, std::int64_t utc_ns) const;

  // The phase and order kinds alone (no since/until): cheap enough to ask per trade.
  venue_status phase(venue v, std::int64_t utc_ns) const { return phase_at(v, utc_ns); }
  bool is_open(venue v, std::int64_t utc_ns) const;          // any session running
  bool trading(venue v, std::int64_t utc_ns) const;          // continuous trading now
  std::vector<venue> open_venues(std::int64_t utc_ns) const; // of krx, nxt
  bool any_open(std::span<const venue> venues, std::int64_t utc_ns) const;
  // Open at t or opening within lead_ns: whoever goes quiet while closed (analyzers, the feed)
  // wakes that long before an open to warm up.
  bool open_or_opening(std::span<const venue> venues, std::int64_t utc_ns,
                       std::int64_t lead_ns) const;

  // Whether the venue takes this order kind now. SOR takes it when either venue does and SOR
  // routes the kind (00, 01, 03, 04, 11-16); unset counts as KRX.
  bool allows(venue v, order_kind k, std::int64_t utc_ns) const;
  bool allows_code(venue v, unsigned ord_dvsn, std::int64_t utc_ns) const;
  // nullopt when allowed; else errc::session_closed naming the venue, its phase and the kind.
  std::optional<api_error> check_order(venue v, order_kind k, std::int64_t utc_ns) const;

  // The first instant >= t at which the venue is open (t itself when it is open now); for
  // several venues the earliest of them. 0 when none opens within a year.
  std::int64_t next_open(venue v, std::int64_t utc_ns) const;
  std::int64_t next_open(std::span<const venue> venues, std::int64_t utc_ns) const;
  // The first instant >= t with continuous trading on the venue; 0 when none within a year.
  std::int64_t next_trading(venue v, std::int64_t utc_ns) const;
  // The first instant > t at which the venue's status changes; 0 when none within a year.
  std::int64_t next_change(venue v, std::int64_t utc_ns) const;
  // Every change of the venue's status in (from, to], oldest first.
  std::vector<session_change> changes_between(venue v, std::int64_t from_ns,
                                              std::int64_t to_ns) const;
  // When the session running at t that has this kind ends (0 when it is not running).
  std::int64_t session_end(venue v, session_kind kind, std::int64_t utc_ns) const;

private:
  bool runs_on(const session& s, std::int32_t day) const;
  venue_status phase_at(venue v, std::int64_t utc_ns) const; // phase and kinds only
  // The first session boundary of venue v after t (within a year) at which pred holds; 0 if none.
  template <class Pred>
  std::int64_t first_boundary_after(venue v, std::int64_t utc_ns, Pred pred) const;
  // Every session start, end and start of trading of venue v on one day, as UTC instants,
  // sorted.
  std::vector<std::int64_t> boundaries(venue v, std::int32_t day) const;

  std::vector<session> sessions_;
  std::set<std::int32_t> holidays_;
};

// The 2026 fallback list of KRX's weekday closed days (KIS-PROTOCOL.md §9.7) and New Year 2027.
std::set<std::int32_t> holidays_2026();

// A [sessions] setting as the runtime reads it from TOML: the key without the "sessions."
// prefix and its value as text (an array of strings joined with ','). Keys (docs/sessions.md):
//   "<venue>.<kind>"             = "HH:MM-HH:MM" (or HH:MM:SS; end may be 24:00) or "off";
//                                  "<venue>.<kind>.hours" is the same (TOML's nested tables)
//   "<venue>.<kind>.orders"      = "00,03,04"  ORD_DVSN codes the session takes
//   "<venue>.<kind>.trades_from" = "HH:MM"     continuous trading from (order entry before)
//   "holidays"                   = "20260101,..." replaces the fallback list
//   "extra_holidays"             = "20261119,..." adds to it
//   "krx_extension"              = "YYYYMMDD"  first day of KRX's pre- and after-market
// venue is krx or nxt; kind a session_kind name (pre_market, regular, after_market, ...).
// A kind the venue lacks is added when its hours and orders are both given.
using setting = std::pair<std::string, std::string>;

// The base calendar with the settings applied in order; the first bad one is errc::config
// with a message that names its key ("sessions.nxt.regular: ...").
result<calendar> calendar_with_settings(calendar base, std::span<const setting> settings);

// Seconds after 00:00 KST of a time of day.
constexpr std::int32_t clock_s(int h, int m, int s = 0) noexcept {
  return h * 3600 + m * 60 + s;
}

// The UTC instant (ns) of a KST time of day (seconds after 00:00) on a date.
std::int64_t kst_instant(std::int32_t yyyymmdd, std::int32_t second_of_day) noexcept;

// Whether KRX's main session (regular trading and its closing auction, 09:00-15:30 on the
// default calendar) runs at t: what a replayed KRX tape can fill against.
bool krx_main_session(const calendar& cal, std::int64_t utc_ns);

// "HH:MM" or "HH:MM:SS" (24:00 allowed) as seconds after midnight.
std::optional<std::int32_t> parse_clock(std::string_view text);

} // namespace kis::sessions
