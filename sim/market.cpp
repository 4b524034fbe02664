#include "sim/market.hpp"

#include <algorithm>
#include <cmath>
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
               double burst_share)
    : seed_(seed)
    , clock_(clock ? std::move(clock) : default_wall_clock())
    , step_(std::max<std::chrono::nanoseconds>(step, 1ms))
    , burst_share_(std::clamp(burst_share, 0.0, 1.0))
    , origin_ns_(clock_->now_ns())
    , session_date_(api::kst::date_of(origin_ns_)) {
  if (symbols.empty())
    symbols = default_universe();
  for (auto& s : symbols) {
    if (tapes_.count(s) != 0)
      continue;
    tape t{instrument_for(s), rng{seed_ ^ fnv1a(s)}, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, {}, 0, {}, {}};
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

market::tape& market::at(std::string_view symbol) {
  auto it = tapes_.find(symbol);
  if (it == tapes_.end())
    throw std::out_of_range("unknown symbol");
  advance(it->second);
  return it->second;
}

void market::advance(tape& t) {
  for (auto target = current_step(); t.step < target;)
    generate(t);
}

// One step: the first prints the open; later ones print with the instrument's trade share,
// and a share of those print a burst of 2-4 trades (2-8 around the open and the close).
void market::generate(tape& t) {
  ++t.step;
  auto& g = t.gen;
  if (t.step == 0) {
    print_one(t, true);
    return;
  }
  const bool trades = g.unit() < t.info.trade_share;
  const bool busy = busy_time(step_time_ns(t.step));
  const bool burst = g.unit() < (busy ? std::min(1.0, 2 * burst_share_) : burst_share_);
  if (!trades)
    return;
  const auto count = burst ? 2 + static_cast<int>(g.below(busy ? 7 : 3)) : 1;
  for (int i = 0; i < count; ++i)
    print_one(t, false);
}

void market::print_one(tape& t, bool first_of_day) {
  const auto base = t.info.base_price;
  const auto up_lim = upper_limit(base), down_lim = lower_limit(base);
  auto p = first_of_day ? base : t.price;
  auto& g = t.gen;
  int moved = 0;
  if (g.unit() < 0.25) {
    // Mean reversion towards the base keeps a long session inside the band most of the time.
    auto drift = 3.0 * static_cast<double>(p - base) / static_cast<double>(base);
    auto up_prob = std::clamp(0.5 - drift, 0.2, 0.8);
    moved = g.unit() < up_prob ? 1 : -1;
    p = std::clamp(moved > 0 ? tick_up(p) : tick_down(p), down_lim, up_lim);
  }
  bool buy = moved > 0 || (moved == 0 && g.below(2) == 0);
  // A few lots, now and then a block ten times that.
  auto qty = t.info.lot * static_cast<std::int64_t>(1 + g.below(5)) * (g.below(20) == 0 ? 10 : 1);

  t.price = p;
  if (first_of_day)
    t.open = t.high = t.low = p;
  t.high = std::max(t.high, p);
  t.low = std::min(t.low, p);
  t.volume += qty;
  t.turnover += qty * p;
  t.ask1 = buy ? p : std::min(tick_up(p), up_lim);
  t.bid1 = buy ? std::max(tick_down(p), down_lim) : p;
  t.last_print_step = t.step;

  print pr{t.step, p, qty, t.volume, t.turnover, t.high, t.low, t.ask1, t.bid1, buy};
  if (t.ring.size() < kept_trades)
    t.ring.push_back(pr);
  else
    t.ring[t.printed % kept_trades] = pr;
  ++t.printed;

  const auto minute = minute_start(step_time_ns(t.step));
  if (t.today_minutes.empty() || t.today_minutes.back().hhmmss != minute)
    t.today_minutes.push_back(minute_bar{minute, p, p, p, p, 0, 0});
  auto& m = t.today_minutes.back();
  m.high = std::max(m.high, p);
  m.low = std::min(m.low, p);
  m.close = p;
  m.volume += qty;
  m.acc_turnover = t.turnover;
}

const market::print& market::recent(const tape& t, std::size_t back) const {
  if (t.ring.size() < kept_trades)
    return t.ring[t.ring.size() - 1 - back];
  return t.ring[(t.printed - 1 - back) % kept_trades];
}

kis::trade_tick market::tick_of(const tape& t, const print& p) const {
  const auto base = t.info.base_price;
  const auto up_lim = upper_limit(base), down_lim = lower_limit(base);
  kis::trade_tick tr;
  tr.symbol = t.info.symbol;
  tr.exchange_ns = step_time_ns(p.step);
  tr.price = p.price;
  tr.change = p.price - base;
  tr.sign = p.price == up_lim     ? price_sign::upper_limit
            : p.price == down_lim ? price_sign::lower_limit
            : p.price > base      ? price_sign::up
            : p.price < base      ? price_sign::down
                                  : price_sign::flat;
  tr.qty = p.qty;
  tr.acc_volume = p.volume;
  tr.acc_turnover = p.turnover;
  tr.vwap = p.turnover / p.volume;
  tr.open = t.open;
  tr.high = p.high;
  tr.low = p.low;
  tr.ask1 = p.ask1;
  tr.bid1 = p.bid1;
  tr.side = p.buy ? aggressor::buy : aggressor::sell;
  tr.session = "20"; // regular session, normal trading
  return tr;
}

std::int64_t market::last_price(std::string_view symbol) {
  return at(symbol).price;
}

std::int64_t market::last_trade_ns(std::string_view symbol) {
  auto& t = at(symbol);
  return step_time_ns(t.last_print_step);
}

kis::quote market::quote(std::string_view symbol) {
  auto& t = at(symbol);
  const auto last = tick_of(t, recent(t, 0));
  kis::quote q;
  q.symbol = t.info.symbol;
  q.price = t.price;
  q.change = last.change;
  q.sign = last.sign;
  q.change_pct = std::round(static_cast<double>(q.change) * 10'000.0 /
                            static_cast<double>(t.info.base_price)) /
                 100.0;
  q.open = t.open;
  q.high = t.high;
  q.low = t.low;
  q.upper_limit = upper_limit(t.info.base_price);
  q.lower_limit = lower_limit(t.info.base_price);
  q.base_price = t.info.base_price;
  q.volume = t.volume;
  q.turnover = t.turnover;
  q.tick_size = tick_size(t.price);
  q.received_ns = last.exchange_ns;
  return q;
}

kis::order_book market::book(std::string_view symbol) {
  auto& t = at(symbol);
  const auto up_lim = upper_limit(t.info.base_price), down_lim = lower_limit(t.info.base_price);
  // Depth depends on (seed, symbol, step) only, so a book is reproducible.
  rng g{seed_ ^ fnv1a(symbol) ^ (static_cast<std::uint64_t>(t.step) * 0x9e3779b97f4a7c15ull)};
  kis::order_book b;
  b.symbol = t.info.symbol;
  b.exchange_ns = step_time_ns(t.step);
  b.hour_class = "0";
  b.acc_volume = t.volume;
  auto ask = t.ask1, bid = t.bid1;
  auto depth = [&] { return t.info.lot * static_cast<std::int64_t>(1 + g.below(60)); };
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

std::vector<kis::trade_tick> market::trades_since(std::string_view symbol, std::int64_t& cursor) {
  auto& t = at(symbol);
  std::size_t newer = 0; // prints after the cursor that are still kept
  while (newer < t.ring.size() && recent(t, newer).step > cursor)
    ++newer;
  std::vector<kis::trade_tick> out;
  out.reserve(newer);
  for (auto i = newer; i > 0; --i)
    out.push_back(tick_of(t, recent(t, i - 1)));
  cursor = t.step;
  return out;
}

std::vector<minute_bar> market::minutes(std::string_view symbol, std::int32_t until_hhmmss,
                                        std::size_t max_rows) {
  auto& t = at(symbol);
  std::vector<minute_bar> out;
  for (auto it = t.today_minutes.rbegin(); it != t.today_minutes.rend() && out.size() < max_rows;
       ++it)
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
  // Walk back from the previous close with small daily returns; a separate stream keeps the
  // intraday walk independent of whether anyone asked for history.
  rng g{seed_ ^ fnv1a(t.info.symbol) ^ 0x5eedull};
  std::vector<kis::daily_bar> rows;
  auto close = t.info.base_price;
  auto date = session_date_;
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
  t.history = std::move(rows);
  return t.history;
}

kis::daily_bar market::today(const tape& t) const {
  return kis::daily_bar{t.info.symbol, session_date_, t.open,   t.high,
                        t.low,         t.price,       t.volume, t.turnover};
}

std::vector<kis::daily_bar> market::bars(std::string_view symbol, std::int32_t from,
                                         std::int32_t to, char period) {
  auto& t = at(symbol);
  std::vector<kis::daily_bar> days;
  for (const auto& b : history(t))
    if (b.date >= from && b.date <= to)
      days.push_back(b);
  if (session_date_ >= from && session_date_ <= to && weekday_date(session_date_))
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
  auto from = api::kst::add_days(session_date_, -365);
  std::int64_t hi = t.high, lo = t.low;
  for (const auto& b : history(t))
    if (b.date >= from) {
      hi = std::max(hi, b.high);
      lo = std::min(lo, b.low);
    }
  return {hi, lo};
}

} // namespace kis::sim
