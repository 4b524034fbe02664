#include "sim/market.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "kis/kst.hpp"

namespace kis::sim {

namespace {

using namespace std::chrono;

// Sunday 0 .. Saturday 6 of a YYYYMMDD date.
unsigned weekday_of(std::int32_t yyyymmdd) noexcept {
  year_month_day ymd{year{yyyymmdd / 10000}, month{static_cast<unsigned>(yyyymmdd / 100 % 100)},
                     day{static_cast<unsigned>(yyyymmdd % 100)}};
  return weekday{sys_days{ymd}}.c_encoding();
}

bool weekday_date(std::int32_t yyyymmdd) noexcept {
  auto wd = weekday_of(yyyymmdd);
  return wd != 0 && wd != 6;
}

constexpr int history_days = 520;            // about two years of weekdays
constexpr double steps_per_session = 93'600; // 6.5 hours of 250 ms steps

// Seconds since midnight KST of a UTC instant.
std::int64_t kst_second_of_day(std::int64_t utc_ns) noexcept {
  constexpr std::int64_t day = 86'400;
  auto s = (utc_ns / 1'000'000'000 + 9 * 3'600) % day;
  return s < 0 ? s + day : s;
}

// The first and the last ten minutes of the regular session trade in bursts.
bool busy_time(std::int64_t utc_ns) noexcept {
  const auto s = kst_second_of_day(utc_ns);
  return (s >= 9 * 3'600 && s < 9 * 3'600 + 600) ||
         (s >= 15 * 3'600 + 1'200 && s < 15 * 3'600 + 1'800);
}

// Sign code of a price against the base: 1 upper limit, 2 up, 3 flat, 4 lower limit, 5 down.
price_sign sign_against(std::int64_t price, std::int64_t base) noexcept {
  return price == upper_limit(base)   ? price_sign::upper_limit
         : price == lower_limit(base) ? price_sign::lower_limit
         : price > base               ? price_sign::up
         : price < base               ? price_sign::down
                                      : price_sign::flat;
}

// Nextrade trades a symbol less often than KRX does.
constexpr double nxt_liquidity = 0.4;
constexpr std::uint64_t nxt_salt = 0x4e5854ull; // "NXT": the Nextrade tape's own streams

std::int32_t minute_start(std::int64_t utc_ns) noexcept {
  const auto s = kst_second_of_day(utc_ns) / 60 * 60;
  return static_cast<std::int32_t>(s / 3'600 * 10'000 + s % 3'600 / 60 * 100);
}

} // namespace

bool on_tick(std::int64_t price) noexcept {
  return price > 0 && price % tick_size(price) == 0;
}

std::int64_t floor_to_tick(std::int64_t price) noexcept {
  auto t = tick_size(price);
  return price / t * t;
}

std::int64_t ceil_to_tick(std::int64_t price) noexcept {
  auto f = floor_to_tick(price);
  return f == price ? f : f + tick_size(f);
}

std::int64_t tick_up(std::int64_t price) noexcept {
  return price + tick_size(price);
}

// The tick below a price is the tick size of the price just under it (2000 -> 1999).
std::int64_t tick_down(std::int64_t price) noexcept {
  return price <= 1 ? price : price - tick_size(price - 1);
}

std::int64_t upper_limit(std::int64_t base) noexcept {
  return floor_to_tick(base + base * 3 / 10);
}

std::int64_t lower_limit(std::int64_t base) noexcept {
  return std::max<std::int64_t>(1, ceil_to_tick(base - base * 3 / 10));
}

market::market(std::vector<std::string> symbols, std::uint64_t seed,
               std::shared_ptr<const wall_clock> clock, std::chrono::milliseconds step,
               double burst_share, std::optional<sessions::calendar> calendar)
    : seed_(seed)
    , clock_(clock ? std::move(clock) : default_wall_clock())
    , step_(std::max<std::chrono::nanoseconds>(step, 1ms))
    , burst_share_(std::clamp(burst_share, 0.0, 1.0))
    , calendar_(std::move(calendar))
    , origin_ns_(clock_->now_ns())
    , origin_day_(api::kst::date_of(origin_ns_)) {
  if (symbols.empty())
    symbols = default_universe();
  for (auto& s : symbols) {
    if (tapes_.count(s) != 0)
      continue;
    tape t{instrument_for(s),
           -1,
           origin_day_,
           venue_tape{rng{seed_ ^ fnv1a(s)}},
           venue_tape{rng{seed_ ^ fnv1a(s) ^ nxt_salt}},
           {},
           {}};
    t.first_base = t.info.base_price;
    tapes_.emplace(s, std::move(t));
    order_.push_back(std::move(s));
  }
}

bool market::known(std::string_view symbol) const {
  return tapes_.find(symbol) != tapes_.end();
}

const instrument& market::info(std::string_view symbol) const {
  auto it = tapes_.find(symbol);
  if (it == tapes_.end())
    throw std::out_of_range("unknown symbol");
  return it->second.info;
}

std::int64_t market::current_step() const noexcept {
  auto elapsed = clock_->now_ns() - origin_ns_;
  return std::max<std::int64_t>(0, elapsed / step_.count()) + manual_steps_;
}

std::int64_t market::step_time_ns(std::int64_t step) const noexcept {
  return origin_ns_ + step * step_.count();
}

std::int64_t market::now_ns() const noexcept {
  return clock_->now_ns() + manual_steps_ * step_.count();
}

std::int32_t market::session_date() const noexcept {
  return calendar_ ? api::kst::date_of(now_ns()) : origin_day_;
}

bool market::trading(venue v) const {
  return !calendar_ || calendar_->trading(v == venue::nxt ? venue::nxt : venue::krx, now_ns());
}

market::venue_tape& market::side(tape& t, venue v) const {
  return v == venue::nxt ? t.nxt : t.krx;
}

market::tape& market::at(std::string_view symbol) {
  auto it = tapes_.find(symbol);
  if (it == tapes_.end())
    throw std::out_of_range("unknown symbol");
  advance(it->second);
  return it->second;
}

void market::advance(tape& t) {
  const auto target = current_step();
  while (t.step < target) {
    if (calendar_) {
      if (auto to = skip_closed(t, target); to > t.step) {
        t.step = to;
        continue;
      }
    }
    generate(t);
  }
}

// With a calendar: the last step before the next one at which a venue of the symbol trades
// (up to target), or t.step when the next step trades.
std::int64_t market::skip_closed(const tape& t, std::int64_t target) const {
  const auto ns = step_time_ns(t.step + 1);
  if (calendar_->trading(venue::krx, ns) || (t.info.nxt && calendar_->trading(venue::nxt, ns)))
    return t.step;
  auto next = calendar_->next_trading(venue::krx, ns);
  if (t.info.nxt) {
    auto n = calendar_->next_trading(venue::nxt, ns);
    if (n != 0 && (next == 0 || n < next))
      next = n;
  }
  if (next == 0)
    return target;
  const auto first_trading = (next - origin_ns_ + step_.count() - 1) / step_.count();
  return std::min(target, first_trading - 1);
}

// One step: each venue that trades now prints (KRX first, so that Nextrade can print near it).
void market::generate(tape& t) {
  ++t.step;
  const auto ns = step_time_ns(t.step);
  if (calendar_) {
    if (auto day = api::kst::date_of(ns); day != t.day)
      roll_day(t, day);
  }
  const bool krx_on = !calendar_ || calendar_->trading(venue::krx, ns);
  const bool nxt_on = t.info.nxt && (!calendar_ || calendar_->trading(venue::nxt, ns));
  const bool busy = busy_time(ns);
  if (krx_on)
    step_venue(t, t.krx, t.info.trade_share, 0, busy);
  if (nxt_on) {
    // While KRX trades Nextrade prints within a tick of it; on its own it walks back towards
    // KRX's latest price (the base before KRX's first print).
    const auto anchor = krx_on && t.krx.opened ? t.krx.price : 0;
    step_venue(t, t.nxt, std::min(1.0, t.info.trade_share * nxt_liquidity), anchor, busy);
  }
}

// A new trading day: yesterday's KRX close becomes the base and joins the history.
void market::roll_day(tape& t, std::int32_t day) {
  if (t.krx.opened) {
    auto bar = today(t);
    t.rolled.push_back(bar);
    if (!t.history.empty())
      t.history.push_back(bar);
    t.info.base_price = t.krx.price;
  }
  for (auto* vt : {&t.krx, &t.nxt}) {
    vt->opened = false;
    vt->open = vt->high = vt->low = 0;
    vt->volume = vt->turnover = 0;
    vt->today_minutes.clear();
  }
  t.day = day;
}

// The first print of the day opens; later steps print with the venue's trade share, and a
// share of those print a burst of 2-4 trades (2-8 around the open and the close).
void market::step_venue(tape& t, venue_tape& vt, double share, std::int64_t anchor, bool busy) {
  auto& g = vt.gen;
  if (!vt.opened) {
    print_one(t, vt, true, anchor);
    return;
  }
  const bool trades = g.unit() < share;
  const bool burst = g.unit() < (busy ? std::min(1.0, 2 * burst_share_) : burst_share_);
  if (!trades)
    return;
  const auto count = burst ? 2 + static_cast<int>(g.below(busy ? 7 : 3)) : 1;
  for (int i = 0; i < count; ++i)
    print_one(t, vt, false, anchor);
}

void market::print_one(tape& t, venue_tape& vt, bool first_of_day, std::int64_t anchor) {
  const auto base = t.info.base_price;
  const auto up_lim = upper_limit(base), down_lim = lower_limit(base);
  // KRX reverts to its base; Nextrade to KRX's latest price.
  const auto reference = &vt == &t.nxt && t.krx.opened ? t.krx.price : base;
  auto p = anchor > 0 ? anchor : first_of_day ? base : vt.price;
  auto& g = vt.gen;
  int moved = 0;
  if (g.unit() < 0.25) {
    // Mean reversion keeps a long session inside the band most of the time.
    auto drift = 3.0 * static_cast<double>(p - reference) / static_cast<double>(base);
    auto up_prob = std::clamp(0.5 - drift, 0.2, 0.8);
    moved = g.unit() < up_prob ? 1 : -1;
    p = std::clamp(moved > 0 ? tick_up(p) : tick_down(p), down_lim, up_lim);
  }
  bool buy = moved > 0 || (moved == 0 && g.below(2) == 0);
  // A few lots, now and then a block ten times that.
  auto qty = t.info.lot * static_cast<std::int64_t>(1 + g.below(5)) * (g.below(20) == 0 ? 10 : 1);

  vt.price = p;
  if (first_of_day) {
    vt.open = vt.high = vt.low = p;
    vt.opened = true;
  }
  vt.high = std::max(vt.high, p);
  vt.low = std::min(vt.low, p);
  vt.volume += qty;
  vt.turnover += qty * p;
  vt.ask1 = buy ? p : std::min(tick_up(p), up_lim);
  vt.bid1 = buy ? std::max(tick_down(p), down_lim) : p;
  vt.last_print_step = t.step;

  print pr{t.step, p, qty, vt.volume, vt.turnover, vt.high, vt.low, vt.ask1, vt.bid1, buy};
  if (vt.ring.size() < kept_trades)
    vt.ring.push_back(pr);
  else
    vt.ring[vt.printed % kept_trades] = pr;
  ++vt.printed;

  const auto minute = minute_start(step_time_ns(t.step));
  if (vt.today_minutes.empty() || vt.today_minutes.back().hhmmss != minute)
    vt.today_minutes.push_back(minute_bar{minute, p, p, p, p, 0, 0});
  auto& m = vt.today_minutes.back();
  m.high = std::max(m.high, p);
  m.low = std::min(m.low, p);
  m.close = p;
  m.volume += qty;
  m.acc_turnover = vt.turnover;
}

const market::print& market::recent(const venue_tape& vt, std::size_t back) const {
  if (vt.ring.size() < kept_trades)
    return vt.ring[vt.ring.size() - 1 - back];
  return vt.ring[(vt.printed - 1 - back) % kept_trades];
}

// NEW_MKOP_CLS_CODE of a print: 20 without a calendar; with one, by the venue's phase (10
// before the regular session, 20 in it, 30 after it, 40 single price; UNCONFIRMED for NXT and
// KRX's new sessions, KIS-PROTOCOL.md §9.5).
std::string market::session_code(venue v, std::int64_t ns) const {
  if (!calendar_)
    return "20";
  switch (calendar_->phase(v, ns).phase) {
  case session_kind::pre_market:
  case session_kind::pre_close_price:
  case session_kind::opening_auction:
    return "10";
  case session_kind::post_close_price:
  case session_kind::after_market:
    return "30";
  case session_kind::single_price:
    return "40";
  default:
    return "20";
  }
}

kis::trade_tick market::tick_of(const tape& t, const venue_tape& vt, const print& p) const {
  const auto base = t.info.base_price;
  const bool nxt = &vt == &t.nxt;
  kis::trade_tick tr;
  tr.symbol = t.info.symbol;
  tr.exchange_ns = step_time_ns(p.step);
  tr.price = p.price;
  tr.change = p.price - base;
  tr.sign = sign_against(p.price, base);
  tr.qty = p.qty;
  tr.acc_volume = p.volume;
  tr.acc_turnover = p.turnover;
  tr.vwap = p.turnover / p.volume;
  tr.open = vt.open;
  tr.high = p.high;
  tr.low = p.low;
  tr.ask1 = p.ask1;
  tr.bid1 = p.bid1;
  tr.side = p.buy ? aggressor::buy : aggressor::sell;
  tr.session = session_code(nxt ? venue::nxt : venue::krx, tr.exchange_ns);
  tr.market = nxt ? market_code::nxt : market_code::krx;
  return tr;
}

std::int64_t market::last_price(std::string_view symbol, venue v) {
  auto& t = at(symbol);
  if (v == venue::nxt && !t.info.nxt)
    return 0;
  const auto& vt = side(t, v);
  return vt.opened ? vt.price : t.info.base_price;
}

std::int64_t market::last_trade_ns(std::string_view symbol, venue v) {
  auto& t = at(symbol);
  const auto& vt = side(t, v);
  return vt.opened ? step_time_ns(vt.last_print_step) : 0;
}

std::pair<std::int64_t, std::int64_t> market::top_of_book(std::string_view symbol, venue v) {
  auto& t = at(symbol);
  if (v == venue::nxt && !t.info.nxt)
    return {0, 0};
  const auto& vt = side(t, v);
  if (!vt.opened)
    return {tick_down(t.info.base_price), t.info.base_price};
  return {vt.bid1, vt.ask1};
}

kis::quote market::quote(std::string_view symbol, venue v) {
  auto& t = at(symbol);
  kis::quote q;
  q.symbol = t.info.symbol;
  if (v == venue::nxt && !t.info.nxt)
    return q; // Nextrade does not trade it: zeros, as KIS answers NX for such a code
  const auto& vt = side(t, v);
  const auto base = t.info.base_price;
  q.price = vt.opened ? vt.price : base;
  q.change = q.price - base;
  q.sign = sign_against(q.price, base);
  q.change_pct =
      std::round(static_cast<double>(q.change) * 10'000.0 / static_cast<double>(base)) / 100.0;
  q.open = vt.open;
  q.high = vt.high;
  q.low = vt.low;
  q.upper_limit = upper_limit(base);
  q.lower_limit = lower_limit(base);
  q.base_price = base;
  q.volume = vt.volume;
  q.turnover = vt.turnover;
  q.tick_size = tick_size(q.price);
  q.received_ns = vt.opened ? step_time_ns(vt.last_print_step) : 0;
  return q;
}

kis::order_book market::book(std::string_view symbol, venue v) {
  auto& t = at(symbol);
  const bool nxt = v == venue::nxt;
  kis::order_book b;
  b.symbol = t.info.symbol;
  b.market = nxt ? market_code::nxt : market_code::krx;
  if (nxt && !t.info.nxt)
    return b; // no levels: Nextrade does not trade it
  const auto& vt = side(t, v);
  const auto base = t.info.base_price;
  const auto up_lim = upper_limit(base), down_lim = lower_limit(base);
  // Depth depends on (seed, symbol, step) only, so a book is reproducible; with a calendar the
  // step of the venue's last print, so that a closed market's book stays still.
  const auto at_step = calendar_ ? vt.last_print_step : t.step;
  rng g{seed_ ^ fnv1a(symbol) ^ (nxt ? nxt_salt : 0) ^
        (static_cast<std::uint64_t>(at_step) * 0x9e3779b97f4a7c15ull)};
  b.exchange_ns = step_time_ns(t.step);
  b.hour_class = "0";
  b.acc_volume = vt.volume;
  auto ask = vt.opened ? vt.ask1 : base, bid = vt.opened ? vt.bid1 : tick_down(base);
  const auto spread_depth = static_cast<std::uint64_t>(nxt ? 20 : 60);
  auto depth = [&] { return t.info.lot * static_cast<std::int64_t>(1 + g.below(spread_depth)); };
  for (int i = 0; i < 10; ++i) {
    kis::book_level a{ask <= up_lim ? ask : 0, 0}, d{bid >= down_lim ? bid : 0, 0};
    if (a.price != 0)
      a.qty = depth();
    if (d.price != 0)
      d.qty = depth();
    b.total_ask_qty += a.qty;
    b.total_bid_qty += d.qty;
    b.asks.push_back(a);
    b.bids.push_back(d);
    ask = tick_up(ask);
    bid = bid > 1 ? tick_down(bid) : 0;
  }
  return b;
}

std::vector<kis::trade_tick> market::trades_since(std::string_view symbol, std::int64_t& cursor,
                                                  venue v) {
  auto& t = at(symbol);
  const auto& vt = side(t, v);
  std::size_t newer = 0; // prints after the cursor that are still kept
  while (newer < vt.ring.size() && recent(vt, newer).step > cursor)
    ++newer;
  std::vector<kis::trade_tick> out;
  out.reserve(newer);
  for (auto i = newer; i > 0; --i)
    out.push_back(tick_of(t, vt, recent(vt, i - 1)));
  cursor = t.step;
  return out;
}

std::vector<minute_bar> market::minutes(std::string_view symbol, std::int32_t until_hhmmss,
                                        std::size_t max_rows) {
  auto& t = at(symbol);
  std::vector<minute_bar> out;
  for (auto it = t.krx.today_minutes.rbegin();
       it != t.krx.today_minutes.rend() && out.size() < max_rows; ++it)
    if (it->hhmmss <= until_hhmmss)
      out.push_back(*it);
  return out;
}

kis::daily_bar market::previous_day(std::string_view symbol) {
  return history(at(symbol)).back();
}

const std::vector<kis::daily_bar>& market::history(tape& t) {
  if (!t.history.empty())
    return t.history;
  // Walk back from the close before the first day with small daily returns; a separate stream
  // keeps the intraday walk independent of whether anyone asked for history.
  rng g{seed_ ^ fnv1a(t.info.symbol) ^ 0x5eedull};
  std::vector<kis::daily_bar> rows;
  auto close = t.first_base;
  auto date = origin_day_;
  while (rows.size() < static_cast<std::size_t>(history_days)) {
    date = api::kst::add_days(date, -1);
    if (!weekday_date(date))
      continue;
    auto ret = (g.unit() - 0.5) * 0.08; // within +-4%
    auto prev = std::max<std::int64_t>(
        1, floor_to_tick(static_cast<std::int64_t>(static_cast<double>(close) / (1.0 + ret))));
    kis::daily_bar bar;
    bar.symbol = t.info.symbol;
    bar.date = date;
    bar.close = close;
    bar.open = std::clamp(floor_to_tick(static_cast<std::int64_t>(static_cast<double>(prev) *
                                                                  (1.0 + (g.unit() - 0.5) * 0.02))),
                          lower_limit(prev), upper_limit(prev));
    auto hi = std::max(bar.open, close), lo = std::min(bar.open, close);
    bar.high = std::min(upper_limit(prev),
                        floor_to_tick(hi + hi * static_cast<std::int64_t>(g.below(3)) / 100));
    bar.low = std::max(lower_limit(prev),
                       ceil_to_tick(lo - lo * static_cast<std::int64_t>(g.below(3)) / 100));
    bar.high = std::max(bar.high, hi);
    bar.low = std::min(bar.low, lo);
    // A day's volume as the intraday walk would print it, give or take half.
    bar.volume = std::max<std::int64_t>(
        1, static_cast<std::int64_t>(t.info.trade_share * steps_per_session * 3.0 *
                                     static_cast<double>(t.info.lot) * (0.5 + g.unit())));
    bar.turnover = bar.volume * ((bar.open + bar.close) / 2);
    rows.push_back(std::move(bar));
    close = prev;
  }
  std::reverse(rows.begin(), rows.end());
  rows.insert(rows.end(), t.rolled.begin(), t.rolled.end());
  t.history = std::move(rows);
  return t.history;
}

kis::daily_bar market::today(const tape& t) const {
  return kis::daily_bar{t.info.symbol, t.day,       t.krx.open,   t.krx.high,
                        t.krx.low,     t.krx.price, t.krx.volume, t.krx.turnover};
}

std::vector<kis::daily_bar> market::bars(std::string_view symbol, std::int32_t from,
                                         std::int32_t to, char period) {
  auto& t = at(symbol);
  std::vector<kis::daily_bar> days;
  for (const auto& b : history(t))
    if (b.date >= from && b.date <= to)
      days.push_back(b);
  const bool has_today = calendar_ ? t.krx.opened : weekday_date(t.day);
  if (t.day >= from && t.day <= to && has_today)
    days.push_back(today(t));
  if (period != 'D') {
    // Fold oldest-first days into groups that share a key; the group is dated by its first day.
    auto key = [period](std::int32_t d) -> std::int64_t {
      if (period == 'Y')
        return d / 10000;
      if (period == 'M')
        return d / 100;
      year_month_day ymd{year{d / 10000}, month{static_cast<unsigned>(d / 100 % 100)},
                         day{static_cast<unsigned>(d % 100)}};
      // Days since a Monday (1970-01-05) divided into weeks.
      return (sys_days{ymd} - sys_days{year{1970} / January / 5}).count() / 7;
    };
    std::vector<kis::daily_bar> folded;
    for (const auto& d : days) {
      if (folded.empty() || key(folded.back().date) != key(d.date)) {
        folded.push_back(d);
        continue;
      }
      auto& f = folded.back();
      f.high = std::max(f.high, d.high);
      f.low = std::min(f.low, d.low);
      f.close = d.close;
      f.volume += d.volume;
      f.turnover += d.turnover;
    }
    days = std::move(folded);
  }
  std::reverse(days.begin(), days.end());
  return days;
}

std::pair<std::int64_t, std::int64_t> market::year_range(std::string_view symbol) {
  auto& t = at(symbol);
  auto from = api::kst::add_days(t.day, -365);
  std::int64_t hi = t.krx.opened ? t.krx.high : 0;
  std::int64_t lo = t.krx.opened ? t.krx.low : std::numeric_limits<std::int64_t>::max();
  for (const auto& b : history(t))
    if (b.date >= from) {
      hi = std::max(hi, b.high);
      lo = std::min(lo, b.low);
    }
  return {hi, lo == std::numeric_limits<std::int64_t>::max() ? 0 : lo};
}

} // namespace kis::sim
