#include "sim/exchange.hpp"

#include <algorithm>
#include <cstdio>

#include "kis/kst.hpp"
#include "sim/order_answers.hpp"

namespace kis::sim {

using namespace answers;

namespace {

std::string order_number(std::uint64_t n) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%010llu", static_cast<unsigned long long>(n));
  return buf;
}

// Clients send order numbers with or without the leading zeros.
std::string_view strip_zeros(std::string_view s) noexcept {
  auto pos = s.find_first_not_of('0');
  return pos == std::string_view::npos ? std::string_view{} : s.substr(pos);
}

order_answer refused(verdict v) {
  order_answer a;
  a.v = std::move(v);
  return a;
}

kis::exec_venue notice_venue(venue route, venue exec) noexcept {
  if (route == venue::sor)
    return exec == venue::nxt ? kis::exec_venue::sor_nxt : kis::exec_venue::sor_krx;
  return exec == venue::nxt ? kis::exec_venue::nxt : kis::exec_venue::krx;
}

} // namespace

exchange::exchange(tape& m, std::string cano, std::string product, std::string hts_id,
                   std::int64_t cash, bool paper)
    : m_(m)
    , cano_(std::move(cano))
    , product_(std::move(product))
    , hts_id_(std::move(hts_id))
    , cash_(cash)
    , paper_(paper) {}

bool exchange::owns(std::string_view cano, std::string_view product) const noexcept {
  return cano == cano_ && product == product_;
}

verdict exchange::check_price(const std::string& symbol, std::string_view kind,
                              std::int64_t price) const {
  if (kind != "00" && kind != "01" && !book_priced(kind))
    return bad_kind();
  if (market_kind(kind) || book_priced(kind))
    return price == 0 ? verdict{} : market_with_price();
  const auto base = m_.info(symbol).base_price;
  if (price <= 0 || price > upper_limit(base) || price < lower_limit(base))
    return out_of_band();
  if (!on_tick(price))
    return bad_tick();
  return {};
}

std::int64_t exchange::reserved_cash() const {
  std::int64_t sum = 0;
  for (const auto& o : orders_)
    if (o.dir == side::buy)
      sum += o.remaining() * o.reserve_price;
  return sum;
}

std::int64_t exchange::reserved_qty(const std::string& symbol) const {
  std::int64_t sum = 0;
  for (const auto& o : orders_)
    if (o.dir == side::sell && o.symbol == symbol)
      sum += o.remaining();
  return sum;
}

std::int64_t exchange::orderable_cash() const {
  return cash_ - reserved_cash();
}

exchange::order& exchange::add(order o) {
  o.org_no = branch_;
  o.order_no = order_number(next_no_++);
  auto now = m_.now_ns();
  o.date = m_.session_date();
  o.time = api::kst::time_of(now);
  // Only trades after the order arrived may fill it.
  const auto key = std::pair{o.symbol, o.exec};
  if (cursors_.find(key) == cursors_.end())
    cursors_.emplace(key, m_.current_step());
  orders_.push_back(std::move(o));
  return orders_.back();
}

order_answer exchange::place(const order_input& in) {
  if (closed_)
    return refused(closed_market(paper_));
  if (!owns(in.cano, in.product))
    return refused(bad_account());
  if (!m_.known(in.symbol))
    return refused(unknown_symbol());
  if (in.qty <= 0)
    return refused(bad_qty());
  if (auto v = check_venue(in.symbol, in.route); !v.ok)
    return refused(v);
  const auto where = choose(in.symbol, in.route, in.dir, in.kind_code);
  if (auto v = session_refusal(where, in.kind_code))
    return refused(*v);
  if (auto v = check_route_kind(in.route, in.kind_code); !v.ok)
    return refused(v);
  if (auto v = check_price(in.symbol, in.kind_code, in.price); !v.ok)
    return refused(v);
  const auto base = m_.info(in.symbol).base_price;
  order o;
  o.symbol = in.symbol;
  o.dir = in.dir;
  o.kind_code = in.kind_code;
  o.qty = in.qty;
  o.route = in.route;
  o.exec = where;
  o.expires_ns = expiry(where);
  o.price = working_price(in.symbol, where, in.dir, in.kind_code, in.price);
  o.reserve_price = market_kind(in.kind_code) ? upper_limit(base) : o.price;
  if (in.dir == side::buy && in.qty * o.reserve_price > orderable_cash())
    return refused(no_cash());
  if (in.dir == side::sell) {
    auto it = holdings_.find(in.symbol);
    auto held = it == holdings_.end() ? 0 : it->second.qty;
    if (in.qty > held - reserved_qty(in.symbol))
      return refused(no_shares());
  }
  auto& added = add(std::move(o));
  notify(added, false, added.qty, added.price);
  order_answer ans{{}, added.org_no, added.order_no, added.time, added.symbol, added.dir};
  ans.v = accepted(paper_, in.dir == side::buy ? "buy" : "sell");
  try_cross(orders_.back());
  return ans;
}

order_answer exchange::revise(const revise_input& in) {
  if (closed_)
    return refused(closed_market(paper_));
  if (!owns(in.cano, in.product))
    return refused(bad_account());
  if (paper_ && in.route != venue::krx)
    return refused(paper_krx_only());
  auto it = std::find_if(orders_.begin(), orders_.end(), [&](const order& o) {
    return strip_zeros(o.order_no) == strip_zeros(in.order_no) &&
           (in.org_no.empty() || o.org_no == in.org_no);
  });
  if (it == orders_.end() || it->remaining() == 0)
    return refused(nothing_to_revise());
  // The original's code; for an SOR order the venue it went to is taken too (UNCONFIRMED).
  if (in.route != it->route && !(it->route == venue::sor && in.route == it->exec))
    return refused(other_venue());
  const auto q = in.all_qty ? it->remaining() : in.qty;
  if (q <= 0 || q > it->remaining())
    return refused(bad_qty());
  order o;
  o.symbol = it->symbol;
  o.dir = it->dir;
  o.orig_order_no = it->order_no;
  o.qty = q;
  o.route = it->route;
  o.exec = it->exec;
  o.expires_ns = it->expires_ns;
  if (in.cancel) {
    if (const auto* cal = m_.calendar(); cal != nullptr && !cal->is_open(it->exec, m_.now_ns()))
      return refused(closed_market(paper_));
    o.kind_code = it->kind_code;
    o.price = it->price;
    o.rctf = 2;
  } else {
    if (auto v = session_refusal(it->exec, in.kind_code))
      return refused(*v);
    if (auto v = check_route_kind(it->route, in.kind_code); !v.ok)
      return refused(v);
    if (auto v = check_price(it->symbol, in.kind_code, in.price); !v.ok)
      return refused(v);
    const auto base = m_.info(it->symbol).base_price;
    o.kind_code = in.kind_code;
    o.price = working_price(it->symbol, it->exec, it->dir, in.kind_code, in.price);
    o.reserve_price = market_kind(in.kind_code) ? upper_limit(base) : o.price;
    o.rctf = 1;
    // The revised part releases its old reservation first.
    if (o.dir == side::buy && q * o.reserve_price > orderable_cash() + q * it->reserve_price)
      return refused(no_cash());
  }
  it->cancelled += q;
  auto& added = add(std::move(o)); // may move orders_: `it` is dead from here on
  notify(added, false, added.qty, added.price);
  order_answer ans{{}, added.org_no, added.order_no, added.time, added.symbol, added.dir};
  ans.v = accepted(paper_, in.cancel ? "cancel" : "revise");
  if (!in.cancel)
    try_cross(orders_.back());
  return ans;
}

// A marketable order fills at once at its venue's last price, while that venue trades.
void exchange::try_cross(order& o) {
  if (o.remaining() == 0 || !m_.trading(o.exec))
    return;
  const auto p = m_.last_price(o.symbol, o.exec);
  const bool crosses =
      market_kind(o.kind_code) || (o.dir == side::buy ? o.price >= p : o.price <= p);
  if (crosses)
    fill(o, o.remaining(), p);
}

void exchange::expire_due(std::int64_t now_ns) {
  for (auto& o : orders_)
    if (o.expires_ns != 0 && now_ns >= o.expires_ns && o.remaining() > 0)
      o.expired += o.remaining();
}

void exchange::match() {
  for (auto& [key, cursor] : cursors_) {
    const auto& [symbol, where] = key;
    auto trades = m_.trades_since(symbol, cursor, where);
    for (const auto& t : trades) {
      auto avail = t.qty;
      for (auto& o : orders_) {
        if (avail == 0)
          break;
        if (o.symbol != symbol || o.exec != where || o.remaining() == 0 ||
            market_kind(o.kind_code) || (o.expires_ns != 0 && t.exchange_ns >= o.expires_ns))
          continue;
        bool crossed = o.dir == side::buy ? t.price <= o.price : t.price >= o.price;
        if (!crossed)
          continue;
        auto q = std::min(avail, o.remaining());
        fill(o, q, o.price);
        avail -= q;
      }
    }
  }
  expire_due(m_.now_ns());
  // Market orders that arrived while their venue waited (an auction, NXT's 15:30-15:40) fill
  // once it trades.
  for (auto& o : orders_)
    if (market_kind(o.kind_code) && o.remaining() > 0)
      try_cross(o);
}

void exchange::fill(order& o, std::int64_t qty, std::int64_t price) {
  auto& h = holdings_[o.symbol];
  if (o.dir == side::buy) {
    cash_ -= qty * price;
    h.qty += qty;
    h.cost += qty * price;
    h.bought_today += qty;
  } else {
    cash_ += qty * price;
    h.cost -= h.qty == 0 ? 0 : h.cost * qty / h.qty;
    h.qty -= qty;
    h.sold_today += qty;
  }
  o.filled += qty;
  o.filled_amount += qty * price;
  o.last_fill_time = api::kst::time_of(m_.now_ns());
  ++fill_count_;
  notify(o, true, qty, price);
}

void exchange::notify(const order& o, bool is_fill, std::int64_t qty, std::int64_t price) {
  if (!on_notice)
    return;
  kis::execution_notice n;
  n.hts_id = hts_id_;
  n.account = cano_ + product_;
  n.order_no = o.order_no;
  n.orig_order_no = o.orig_order_no;
  n.dir = o.dir;
  n.revise_cancel = o.rctf;
  n.order_kind_code = o.kind_code;
  n.symbol = o.symbol;
  n.qty = qty;
  n.price = price;
  n.time = api::kst::time_of(m_.now_ns());
  n.is_fill = is_fill;
  n.accept_state = is_fill ? 2 : 1;
  n.branch = o.org_no;
  n.order_qty = o.qty;
  n.name = m_.info(o.symbol).name;
  n.order_price = o.price;
  n.executed_on = notice_venue(o.route, o.exec);
  on_notice(n);
}

std::vector<kis::holding> exchange::holdings() {
  std::vector<kis::holding> out;
  for (const auto& [symbol, h] : holdings_) {
    if (h.qty == 0 && h.bought_today == 0 && h.sold_today == 0)
      continue;
    kis::holding r;
    r.symbol = symbol;
    r.name = m_.info(symbol).name;
    r.qty = h.qty;
    r.orderable_qty = h.qty - reserved_qty(symbol);
    r.avg_price = h.qty == 0 ? 0 : (h.cost + h.qty / 2) / h.qty;
    r.last_price = m_.last_price(symbol, venue::krx);
    r.eval_amount = h.qty * r.last_price;
    r.eval_pnl = r.eval_amount - h.cost;
    out.push_back(std::move(r));
  }
  return out;
}

kis::balance exchange::totals() {
  kis::balance b;
  b.holdings = holdings();
  b.deposit = cash_;
  for (const auto& h : b.holdings) {
    b.total_eval += h.eval_amount;
    b.purchase_total += h.eval_amount - h.eval_pnl;
    b.eval_pnl_total += h.eval_pnl;
  }
  b.total_eval += cash_;
  b.net_assets = b.total_eval;
  return b;
}

page<kis::holding> exchange::balance_page(std::size_t offset, std::size_t size) {
  auto all = holdings();
  page<kis::holding> p;
  for (auto i = offset; i < all.size() && p.rows.size() < size; ++i)
    p.rows.push_back(std::move(all[i]));
  p.next = offset + p.rows.size();
  p.more = p.next < all.size();
  return p;
}

kis::buyable exchange::buyable(std::string_view symbol, std::int64_t price,
                               std::string_view kind_code) {
  kis::buyable b;
  b.symbol = std::string{symbol};
  b.orderable_cash = orderable_cash();
  b.max_amount_no_margin = b.max_amount = b.orderable_cash;
  if (symbol.empty() || !m_.known(symbol))
    return b;
  // A market buy is margined at the upper limit (KIS-PROTOCOL.md §4.4).
  b.calc_price =
      market_kind(kind_code) || price <= 0 ? upper_limit(m_.info(symbol).base_price) : price;
  b.max_qty_no_margin = b.max_qty = b.orderable_cash / b.calc_price;
  b.max_amount_no_margin = b.max_amount = b.max_qty * b.calc_price;
  return b;
}

bool exchange::selected(const order& o, const ccld_query& q) const {
  if (o.date < q.from || o.date > q.to)
    return false;
  // A venue's query lists the orders sent there; whether a KRX query lists SOR orders routed
  // to KRX is UNCONFIRMED (KIS-PROTOCOL.md §9.3): here it does not, ALL lists everything.
  const bool venue_ok = q.scope == venue_scope::all || q.scope == venue_scope::automatic ||
                        (q.scope == venue_scope::krx && o.route == venue::krx) ||
                        (q.scope == venue_scope::nxt && o.route == venue::nxt) ||
                        (q.scope == venue_scope::sor && o.route == venue::sor);
  if (!venue_ok)
    return false;
  if ((q.side_code == "01" && o.dir != side::sell) || (q.side_code == "02" && o.dir != side::buy))
    return false;
  if (!q.symbol.empty() && q.symbol != o.symbol)
    return false;
  if (!q.order_no.empty() && strip_zeros(q.order_no) != strip_zeros(o.order_no))
    return false;
  if (q.ccld_code == "01" && o.filled == 0)
    return false;
  if (q.ccld_code == "02" && o.remaining() == 0)
    return false;
  return true;
}

order_view exchange::row(const order& o) const {
  order_view r;
  r.rctf = o.rctf;
  r.last_fill_time = o.last_fill_time;
  r.date = std::to_string(o.date);
  r.org_no = o.org_no;
  r.order_no = o.order_no;
  r.orig_order_no = o.orig_order_no;
  r.symbol = o.symbol;
  r.dir = o.dir;
  r.order_kind_code = o.kind_code;
  r.order_qty = o.qty;
  r.order_price = o.price;
  r.order_time = o.time;
  r.filled_qty = o.filled;
  r.avg_price = o.filled == 0 ? 0 : o.filled_amount / o.filled;
  r.filled_amount = o.filled_amount;
  r.cancelled = o.rctf == 2;
  r.remaining_qty = o.remaining();
  r.route = o.route;
  r.executed_on = o.exec;
  r.expired_qty = o.expired;
  return r;
}

page<order_view> exchange::fills_page(const ccld_query& q, std::size_t offset, std::size_t size) {
  std::vector<const order*> hits;
  for (const auto& o : orders_)
    if (selected(o, q))
      hits.push_back(&o);
  if (!q.oldest_first)
    std::reverse(hits.begin(), hits.end());
  return page_of(hits, offset, size);
}

page<order_view> exchange::revisable_page(std::size_t offset, std::size_t size) {
  std::vector<const order*> open;
  for (const auto& o : orders_)
    if (o.remaining() > 0)
      open.push_back(&o);
  return page_of(open, offset, size);
}

page<order_view> exchange::page_of(const std::vector<const order*>& hits, std::size_t offset,
                                   std::size_t size) const {
  page<order_view> p;
  for (auto i = offset; i < hits.size() && p.rows.size() < size; ++i)
    p.rows.push_back(row(*hits[i]));
  p.next = offset + p.rows.size();
  p.more = p.next < hits.size();
  return p;
}

sellable_view exchange::sellable(const std::string& symbol) const {
  sellable_view v;
  auto it = holdings_.find(symbol);
  if (it == holdings_.end())
    return v;
  v.bought_today = it->second.bought_today;
  v.sold_today = it->second.sold_today;
  v.held = it->second.qty;
  v.orderable = it->second.qty - reserved_qty(symbol);
  v.cost = it->second.cost;
  return v;
}

ccld_totals exchange::fill_totals(const ccld_query& q) const {
  ccld_totals t;
  for (const auto& o : orders_)
    if (selected(o, q) && o.rctf != 2) {
      t.order_qty += o.qty;
      t.filled_qty += o.filled;
      t.filled_amount += o.filled_amount;
    }
  return t;
}

std::pair<std::int64_t, std::int64_t> exchange::today_qty(const std::string& symbol) const {
  auto it = holdings_.find(symbol);
  return it == holdings_.end() ? std::pair<std::int64_t, std::int64_t>{}
                               : std::pair{it->second.bought_today, it->second.sold_today};
}

std::pair<std::int64_t, std::int64_t> exchange::traded_amounts() const {
  std::int64_t bought = 0, sold = 0;
  for (const auto& o : orders_)
    (o.dir == side::buy ? bought : sold) += o.filled_amount;
  return {bought, sold};
}

} // namespace kis::sim
