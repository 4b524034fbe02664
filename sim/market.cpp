#include "sim/market.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "kis/kst.hpp"

namespace kis::sim {

namespace {

using namespace std::chrono;

constexpr std::uint64_t fnv1a(std::string_view s) noexcept {
  std::uint64_t h = 14695981039346656037ull;
  for (char c : s)
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

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

struct known_name {
  std::string_view code;
  std::string_view name;
};

// Large KOSPI names, so that logs and examples read naturally; prices are synthetic anyway.
constexpr known_name known_names[] = {
    {"005930", "삼성전자"},     {"000660", "SK하이닉스"},     {"035420", "NAVER"},
    {"035720", "카카오"},       {"005380", "현대차"},         {"051910", "LG화학"},
    {"006400", "삼성SDI"},      {"068270", "셀트리온"},       {"207940", "삼성바이오로직스"},
    {"000270", "기아"},         {"105560", "KB금융"},         {"055550", "신한지주"},
    {"012330", "현대모비스"},   {"028260", "삼성물산"},       {"066570", "LG전자"},
    {"003550", "LG"},           {"017670", "SK텔레콤"},       {"034730", "SK"},
    {"015760", "한국전력"},     {"032830", "삼성생명"},       {"096770", "SK이노베이션"},
    {"009150", "삼성전기"},     {"018260", "삼성에스디에스"}, {"011200", "HMM"},
    {"010130", "고려아연"},     {"086790", "하나금융지주"},   {"033780", "KT&G"},
    {"003670", "포스코퓨처엠"}, {"005490", "POSCO홀딩스"},    {"047050", "포스코인터내셔널"},
};

std::string name_for(std::string_view code) {
  for (const auto& k : known_names)
    if (k.code == code)
      return std::string{k.name};
  // append() rather than "literal" + string: g++ 12 -O3 reports a false -Wrestrict on the latter.
  std::string name = "모의종목";
  name.append(code);
  return name;
}

constexpr int history_days = 520; // about two years of weekdays

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

std::vector<std::string> default_universe() {
  std::vector<std::string> out;
  for (const auto& k : known_names)
    out.emplace_back(k.code);
  for (int i = 0; out.size() < 120; ++i) {
    auto digits = std::to_string(100'000 + 100 + i * 7); // "100100".."100723"
    digits[0] = '9';
    out.push_back(std::move(digits));
  }
  return out;
}

std::uint64_t rng::next() noexcept {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

market::market(std::vector<std::string> symbols, std::uint64_t seed,
               std::shared_ptr<const wall_clock> clock, std::chrono::milliseconds step)
    : seed_(seed)
    , clock_(clock ? std::move(clock) : default_wall_clock())
    , step_(std::max<std::chrono::nanoseconds>(step, 1ms))
    , origin_ns_(clock_->now_ns())
    , session_date_(api::kst::date_of(origin_ns_)) {
  if (symbols.empty())
    symbols = default_universe();
  for (auto& s : symbols) {
    if (tapes_.count(s) != 0)
      continue;
    rng g{seed_ ^ fnv1a(s)};
    instrument in;
    in.symbol = s;
    in.name = name_for(s);
    // Log-uniform between 1,000 and 800,000 KRW so that every tick band is populated.
    auto raw = 1'000.0 * std::pow(800.0, g.unit());
    in.base_price = floor_to_tick(static_cast<std::int64_t>(raw));
    in.shares = 10'000'000 + static_cast<std::int64_t>(g.below(990'000'000));
    in.eps = in.base_price / static_cast<std::int64_t>(5 + g.below(25));
    in.bps = static_cast<std::int64_t>(static_cast<double>(in.base_price) * (0.5 + g.unit() * 1.5));
    tapes_.emplace(s, tape{std::move(in), rng{g.next()}, -1, 0, 0, 0, 0, 0, 0, 0, 0, {}, {}});
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

void market::generate(tape& t) {
  const auto base = t.info.base_price;
  const auto up_lim = upper_limit(base), down_lim = lower_limit(base);
  auto p = t.step < 0 ? base : t.price;
  ++t.step;
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
  auto qty = static_cast<std::int64_t>(1 + g.below(300)) * (g.below(20) == 0 ? 10 : 1);

  t.price = p;
  if (t.step == 0)
    t.open = t.high = t.low = p;
  t.high = std::max(t.high, p);
  t.low = std::min(t.low, p);
  t.volume += qty;
  t.turnover += qty * p;
  t.ask1 = buy ? p : std::min(tick_up(p), up_lim);
  t.bid1 = buy ? std::max(tick_down(p), down_lim) : p;

  kis::trade_tick tr;
  tr.symbol = t.info.symbol;
  tr.exchange_ns = step_time_ns(t.step);
  tr.price = p;
  tr.change = p - base;
  tr.sign = p == up_lim     ? price_sign::upper_limit
            : p == down_lim ? price_sign::lower_limit
            : p > base      ? price_sign::up
            : p < base      ? price_sign::down
                            : price_sign::flat;
  tr.qty = qty;
  tr.acc_volume = t.volume;
  tr.acc_turnover = t.turnover;
  tr.vwap = t.turnover / t.volume;
  tr.open = t.open;
  tr.high = t.high;
  tr.low = t.low;
  tr.ask1 = t.ask1;
  tr.bid1 = t.bid1;
  tr.side = buy ? aggressor::buy : aggressor::sell;
  tr.session = "20"; // regular session, normal trading
  t.recent.push_back(std::move(tr));
  if (t.recent.size() > kept_trades)
    t.recent.pop_front();
}

std::int64_t market::last_price(std::string_view symbol) {
  return at(symbol).price;
}

kis::quote market::quote(std::string_view symbol) {
  auto& t = at(symbol);
  const auto& last = t.recent.back();
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
  for (int i = 0; i < 10; ++i) {
    kis::book_level a{ask <= up_lim ? ask : 0, 0}, d{bid >= down_lim ? bid : 0, 0};
    if (a.price != 0)
      a.qty = static_cast<std::int64_t>(50 + g.below(5'000));
    if (d.price != 0)
      d.qty = static_cast<std::int64_t>(50 + g.below(5'000));
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
  std::vector<kis::trade_tick> out;
  const auto first = t.step - static_cast<std::int64_t>(t.recent.size()) + 1;
  for (auto s = std::max(cursor + 1, first); s <= t.step; ++s)
    out.push_back(t.recent[static_cast<std::size_t>(s - first)]);
  cursor = t.step;
  return out;
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
    bar.volume = static_cast<std::int64_t>(10'000 + g.below(5'000'000));
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
