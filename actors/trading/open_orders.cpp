#include "actors/trading/open_orders.hpp"

#include <algorithm>
#include <iterator>

namespace kis {
namespace {

constexpr std::size_t max_parked = 1000;

int seconds_of_day(const std::string& hhmmss) {
  if (hhmmss.size() < 6)
    return -1;
  auto d = [&](std::size_t i) { return hhmmss[i] - '0'; };
  return (d(0) * 10 + d(1)) * 3600 + (d(2) * 10 + d(3)) * 60 + d(4) * 10 + d(5);
}

} // namespace

bool final_status(order_status s) noexcept {
  return s == order_status::filled || s == order_status::cancelled || s == order_status::rejected;
}

tracked_order& open_orders::add(tracked_order o) {
  auto cid = o.e.client_id;
  auto& slot = orders_[cid] = std::move(o);
  index(slot);
  return slot;
}

tracked_order* open_orders::find(const std::string& client_id) {
  auto i = orders_.find(client_id);
  return i != orders_.end() ? &i->second : nullptr;
}

void open_orders::erase(const std::string& client_id) {
  orders_.erase(client_id);
}

void open_orders::index(const tracked_order& o) {
  if (!o.e.order_no.empty())
    by_order_no_[o.e.order_no] = o.e.client_id;
}

void open_orders::claim(const std::string& order_no) {
  by_order_no_.try_emplace(order_no); // no client id: reports about it are ignored
}

bool open_orders::known(const std::string& order_no) const {
  return by_order_no_.count(order_no) != 0;
}

tracked_order* open_orders::by_order_no(const std::string& order_no) {
  auto c = by_order_no_.find(order_no);
  return c != by_order_no_.end() ? find(c->second) : nullptr;
}

tracked_order* open_orders::match_unknown(const std::string& symbol, side dir, std::int64_t qty,
                                          std::int64_t price, const std::string& order_time) {
  for (auto& [cid, o] : orders_) {
    if (o.e.status != order_status::unknown || o.e.symbol != symbol || o.e.dir != dir ||
        o.e.qty != qty || (o.e.price != price && o.e.price != 0))
      continue;
    auto t = seconds_of_day(order_time), mine = seconds_of_day(o.e.intent_time);
    if (t >= 0 && mine >= 0 && t + 60 < mine) // placed before we even decided: not ours
      continue;
    return &o;
  }
  return nullptr;
}

bool open_orders::in_flight_like(const std::string& symbol, side dir, std::int64_t qty,
                                 std::int64_t price) const {
  return std::any_of(orders_.begin(), orders_.end(), [&](const auto& kv) {
    const auto& e = kv.second.e;
    return e.status == order_status::journaled && e.symbol == symbol && e.dir == dir &&
           e.qty == qty && (e.price == price || e.price == 0);
  });
}

bool open_orders::any_unknown() const {
  return std::any_of(orders_.begin(), orders_.end(),
                     [](const auto& kv) { return kv.second.e.status == order_status::unknown; });
}

std::int32_t open_orders::earliest_day(std::int32_t today) const {
  auto from = today;
  for (const auto& [cid, o] : orders_)
    if (o.e.trading_day > 0)
      from = std::min(from, o.e.trading_day);
  return from;
}

void open_orders::add_pending(const std::string& symbol, exposure& x) const {
  for (const auto& [cid, o] : orders_)
    if (o.e.symbol == symbol)
      (o.e.dir == side::buy ? x.pending_buy : x.pending_sell) += o.e.qty - o.e.filled_qty;
}

void open_orders::park(const execution_notice& n) {
  if (parked_.size() < max_parked)
    parked_.push_back(n);
}

std::vector<execution_notice> open_orders::take_parked(const std::string& order_no) {
  std::vector<execution_notice> mine;
  auto is_mine = [&](const execution_notice& n) { return n.order_no == order_no; };
  std::copy_if(parked_.begin(), parked_.end(), std::back_inserter(mine), is_mine);
  std::erase_if(parked_, is_mine);
  return mine;
}

std::int64_t open_orders::fill_from_notice(tracked_order& o, std::int64_t qty) {
  o.notice_filled += qty;
  return std::max(o.notice_filled, o.ccld_filled) - o.e.filled_qty;
}

std::int64_t open_orders::fill_from_ccld(tracked_order& o, std::int64_t cumulative) {
  o.ccld_filled = std::max(o.ccld_filled, cumulative);
  return std::max(o.notice_filled, o.ccld_filled) - o.e.filled_qty;
}

} // namespace kis
