#include "actors/trading/order_records.hpp"

#include <algorithm>

#include "kis/kst.hpp"

namespace kis {

journal_entry intent_entry(const signal& s, std::int64_t now_ns) {
  journal_entry e;
  e.strategy_id = s.strategy_id;
  e.symbol = s.symbol;
  e.dir = s.dir;
  e.kind = s.kind;
  e.qty = s.qty;
  e.price = s.price;
  e.reason = s.reason;
  e.route = s.route == venue::unset ? venue::krx : s.route;
  e.status = order_status::journaled;
  e.trading_day = api::kst::date_of(now_ns);
  e.intent_time = api::kst::time_of(now_ns);
  e.created_ns = e.updated_ns = now_ns;
  return e;
}

order_update update_of(const journal_entry& e, std::int64_t last_qty, std::int64_t last_px,
                       std::int64_t now_ns) {
  return {e.client_id, e.strategy_id, e.symbol,     e.dir,       e.status,
          e.order_no,  e.qty,         e.filled_qty, e.avg_price, last_qty,
          last_px,     e.message,     now_ns,       e.route,     e.executed_on};
}

order_update update_of_signal(const signal& s, const std::string& client_id, order_status st,
                              std::string reason, std::int64_t now_ns) {
  order_update up;
  up.client_id = client_id;
  up.strategy_id = s.strategy_id;
  up.symbol = s.symbol;
  up.dir = s.dir;
  up.status = st;
  up.qty = s.qty;
  up.route = s.route;
  up.reason = std::move(reason);
  up.at_ns = now_ns;
  return up;
}

std::int64_t add_fill(journal_entry& e, std::int64_t qty, std::int64_t price) {
  qty = std::min(qty, e.qty - e.filled_qty); // never more than the order
  if (qty <= 0)
    return qty;
  auto total = e.avg_price * e.filled_qty + price * qty;
  e.filled_qty += qty;
  e.avg_price = total / e.filled_qty;
  return qty;
}

std::int64_t ccld_fill_price(const journal_entry& e, const fill_record& r, std::int64_t delta) {
  return r.filled_amount > 0 ? (r.filled_amount - e.avg_price * e.filled_qty) / delta : r.avg_price;
}

std::optional<order_status> ccld_outcome(const fill_record& r) {
  if (r.cancelled && r.remaining_qty == 0)
    return order_status::cancelled;
  if (r.rejected_qty > 0 && r.filled_qty == 0 && r.remaining_qty == 0)
    return order_status::rejected;
  return std::nullopt;
}

} // namespace kis
