#include "runtime/replay_tape.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "kis/kst.hpp"

namespace kis::runtime {

namespace json = boost::json;

namespace {

std::string num(std::int64_t v) {
  return std::to_string(v);
}

std::string sign_code(std::int64_t price, std::int64_t base) {
  if (base <= 0)
    return "3";
  if (price >= sim::upper_limit(base))
    return "1";
  if (price <= sim::lower_limit(base))
    return "4";
  return price > base ? "2" : price < base ? "5" : "3";
}

std::string pct(std::int64_t change, std::int64_t base) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f",
                base == 0 ? 0.0 : static_cast<double>(change) * 100.0 / static_cast<double>(base));
  return buf;
}

} // namespace

replay_tape::replay_tape(std::shared_ptr<const wall_clock> clock)
    : clock_(clock ? std::move(clock) : default_wall_clock()) {}

replay_tape::symbol_tape& replay_tape::at(const std::string& symbol) {
  auto it = symbols_.find(symbol);
  if (it != symbols_.end())
    return it->second;
  symbol_tape s;
  s.info.symbol = symbol;
  s.info.name = symbol;
  return symbols_.emplace(symbol, std::move(s)).first->second;
}

void replay_tape::add_print(symbol_tape& s, kis::trade_tick t) {
  const auto day = api::kst::date_of(t.exchange_ns != 0 ? t.exchange_ns : clock_->now_ns());
  if (day != s.day) { // a new session: the day's figures start again
    s.day = day;
    s.open = s.high = s.low = t.price;
    s.volume = s.turnover = 0;
  }
  s.last = t.price;
  s.high = std::max(s.high, t.price);
  s.low = std::min(s.low, t.price);
  s.volume += t.qty;
  s.turnover += t.qty * t.price;
  s.recent.push_back({++step_, std::move(t)});
  if (s.recent.size() > kept_trades)
    s.recent.pop_front();
}

void replay_tape::print(const kis::trade_tick& t) {
  if (t.symbol.empty() || t.price <= 0)
    return;
  auto& s = at(t.symbol);
  if (t.price - t.change > 0)
    s.info.base_price = t.price - t.change;
  s.traded = true;
  if (t.ask1 > 0)
    s.ask = t.ask1;
  if (t.bid1 > 0)
    s.bid = t.bid1;
  add_print(s, t);
}

void replay_tape::show_book(const kis::order_book& b) {
  if (b.symbol.empty())
    return;
  auto& s = at(b.symbol);
  s.bid = b.bids.empty() ? 0 : b.bids.front().price;
  s.ask = b.asks.empty() ? 0 : b.asks.front().price;
  if (s.last == 0 && s.bid > 0 && s.ask > 0) {
    s.last = sim::floor_to_tick((s.bid + s.ask) / 2);
    if (s.info.base_price == 0)
      s.info.base_price = s.last;
  }
}

void replay_tape::show_quote(const kis::quote& q) {
  if (q.symbol.empty() || q.price <= 0)
    return;
  auto& s = at(q.symbol);
  if (s.traded) // the WebSocket trades are finer than any snapshot
    return;
  if (q.base_price > 0)
    s.info.base_price = q.base_price;
  else if (q.price - q.change > 0)
    s.info.base_price = q.price - q.change;
  const auto added = s.quote_volume > 0 ? std::max<std::int64_t>(0, q.volume - s.quote_volume) : 0;
  s.quote_volume = q.volume;
  kis::trade_tick t;
  t.symbol = q.symbol;
  t.exchange_ns = clock_->now_ns();
  t.price = q.price;
  t.change = q.change;
  t.qty = added;
  add_print(s, std::move(t));
}

bool replay_tape::traded(std::string_view symbol) const {
  auto it = symbols_.find(symbol);
  return it != symbols_.end() && it->second.traded;
}

std::vector<std::string> replay_tape::symbols() const {
  std::vector<std::string> out;
  for (const auto& [sym, s] : symbols_)
    out.push_back(sym);
  return out;
}

std::string replay_tape::quote_body(std::string_view symbol) const {
  auto it = symbols_.find(symbol);
  if (it == symbols_.end() || it->second.last <= 0)
    return {};
  const auto& s = it->second;
  const auto base = s.info.base_price;
  json::object out{
      {"stck_shrn_iscd", symbol},
      {"stck_prpr", num(s.last)},
      {"prdy_vrss", num(s.last - base)},
      {"prdy_vrss_sign", sign_code(s.last, base)},
      {"prdy_ctrt", pct(s.last - base, base)},
      {"stck_oprc", num(s.open != 0 ? s.open : s.last)},
      {"stck_hgpr", num(s.high != 0 ? s.high : s.last)},
      {"stck_lwpr", num(s.low != 0 ? s.low : s.last)},
      {"stck_mxpr", num(base > 0 ? sim::upper_limit(base) : 0)},
      {"stck_llam", num(base > 0 ? sim::lower_limit(base) : 0)},
      {"stck_sdpr", num(base)},
      {"acml_vol", num(s.volume)},
      {"acml_tr_pbmn", num(s.turnover)},
      {"aspr_unit", num(sim::tick_size(s.last))},
      {"temp_stop_yn", "N"},
  };
  json::object body{{"rt_cd", "0"}, {"msg_cd", "MCA00000"}, {"msg1", "정상처리 되었습니다."}};
  body["output"] = std::move(out);
  return json::serialize(body);
}

bool replay_tape::known(std::string_view symbol) const {
  auto it = symbols_.find(symbol);
  return it != symbols_.end() && it->second.last > 0 && it->second.info.base_price > 0;
}

const sim::instrument& replay_tape::info(std::string_view symbol) const {
  auto it = symbols_.find(symbol);
  if (it == symbols_.end())
    throw std::out_of_range("unknown symbol");
  return it->second.info;
}

std::int32_t replay_tape::session_date() const noexcept {
  return api::kst::date_of(clock_->now_ns());
}

std::int64_t replay_tape::last_price(std::string_view symbol, venue v) {
  auto it = symbols_.find(symbol);
  return it == symbols_.end() || v == venue::nxt ? 0 : it->second.last;
}

std::pair<std::int64_t, std::int64_t> replay_tape::top_of_book(std::string_view symbol, venue v) {
  auto it = symbols_.find(symbol);
  if (it == symbols_.end() || v == venue::nxt)
    return {0, 0};
  return {it->second.bid, it->second.ask};
}

std::vector<kis::trade_tick> replay_tape::trades_since(std::string_view symbol,
                                                       std::int64_t& cursor, venue v) {
  std::vector<kis::trade_tick> out;
  auto it = symbols_.find(symbol);
  if (it != symbols_.end() && v != venue::nxt) {
    const auto& recent = it->second.recent;
    auto first = std::partition_point(recent.begin(), recent.end(),
                                      [&](const printed& p) { return p.step <= cursor; });
    for (auto i = first; i != recent.end(); ++i)
      out.push_back(i->tick);
  }
  cursor = step_;
  return out;
}

} // namespace kis::runtime
