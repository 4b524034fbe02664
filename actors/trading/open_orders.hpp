// The order executor's book of open orders: each order by client id and by KIS order number,
// the matching of what KIS reports (an execution notice, an inquire-daily-ccld row) to an
// order whose outcome is unknown, notices parked until their order is known, and the fill
// figures that make fill accounting idempotent. Plain code, no actor: the executor owns one.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "actors/trading/order_journal.hpp"
#include "actors/trading/risk_checks.hpp"
#include "messages/orders.hpp"

namespace kis {

struct tracked_order {
  journal_entry e;
  std::int32_t reconcile_left = 0;
  bool cancel_sent = false;
  // A fill can reach us twice: as an execution notice (an increment) and inside
  // inquire-daily-ccld's cumulative figure. e.filled_qty is the larger of the two sums, so the
  // same fill seen both ways counts once.
  std::int64_t notice_filled = 0; // sum of the fill notices received
  std::int64_t ccld_filled = 0;   // highest tot_ccld_qty inquire-daily-ccld reported
  // What the order holds in the account view until it ends: its unfilled quantity at this
  // price (0: nothing held, e.g. an order restored from the journal).
  std::int64_t hold_price = 0;
  std::int64_t signal_ns = 0; // when its signal was made (wall clock); 0 when restored
};

bool final_status(order_status s) noexcept;

class open_orders {
public:
  using map_type = std::map<std::string, tracked_order>; // by client id

  map_type& all() noexcept { return orders_; }
  const map_type& all() const noexcept { return orders_; }
  bool empty() const noexcept { return orders_.empty(); }
  std::size_t size() const noexcept { return orders_.size(); }

  // Adds (or replaces) an order; indexes its order number when it has one.
  tracked_order& add(tracked_order o);
  tracked_order* find(const std::string& client_id);
  // Forgets an open order; its order number stays known (later reports about it are ignored).
  void erase(const std::string& client_id);
  // Records the order number KIS gave the order.
  void index(const tracked_order& o);
  // Marks an order number as ours without an open order (journaled by an earlier run).
  void claim(const std::string& order_no);

  // Whether KIS's order number belongs to an order of ours (open or not), and the open one.
  bool known(const std::string& order_no) const;
  tracked_order* by_order_no(const std::string& order_no);

  // An order whose fate is unknown that fits what KIS reports (same symbol, side, quantity,
  // price; placed no earlier than a minute before our intent), oldest first. order_time is
  // HHMMSS or empty.
  tracked_order* match_unknown(const std::string& symbol, side dir, std::int64_t qty,
                               std::int64_t price, const std::string& order_time);
  bool any_unknown() const;
  // An order of this process whose request is still out (journaled, no answer yet) on the same
  // terms: a notice or a daily-fills row KIS sends meanwhile may be that request's, so it must
  // wait for the answer instead of being handed to an older unknown order with the same terms.
  bool in_flight_like(const std::string& symbol, side dir, std::int64_t qty,
                      std::int64_t price) const;

  // The earliest trading day of an open order, or today.
  std::int32_t earliest_day(std::int32_t today) const;
  // Adds the unfilled quantity of the symbol's open orders to x.
  void add_pending(const std::string& symbol, exposure& x) const;

  // Notices about an order number we do not know yet (its ack may still be on its way).
  void park(const execution_notice& n);
  std::vector<execution_notice> take_parked(const std::string& order_no);

  // How many more units to count as filled after a fill notice of qty, or after
  // inquire-daily-ccld reported `cumulative` filled; both record the figure in o.
  static std::int64_t fill_from_notice(tracked_order& o, std::int64_t qty);
  static std::int64_t fill_from_ccld(tracked_order& o, std::int64_t cumulative);

private:
  map_type orders_;
  std::map<std::string, std::string> by_order_no_; // ODNO -> client id
  std::vector<execution_notice> parked_;
};

} // namespace kis
