// What the order executor reports: its summary's counts and its figures for the metrics actor.
// Plain functions of the executor's counters; the executor calls them when asked.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "messages/metrics.hpp"
#include "messages/orders.hpp"

namespace kis {

// Orders of this run counted by status name ("filled", "sent", ...), in name order.
std::vector<count_by> count_statuses(const std::map<std::string, order_status>& status_of);

// A map of counts as the summary lists them.
std::vector<count_by> count_list(const std::map<std::string, std::uint64_t>& counts);

// The latest orders for the console's blotter: each order's newest update and when it began.
class order_blotter {
public:
  static constexpr std::size_t keep = 20;
  struct row {
    order_update last;
    std::int64_t first_ns = 0;
  };
  void note(const order_update& up);
  const std::deque<row>& rows() const noexcept { return rows_; }

private:
  std::deque<row> rows_; // oldest first
};

// Figures the summary does not carry.
struct executor_extras {
  std::size_t open = 0;      // orders not final
  std::size_t in_flight = 0; // signals between dequeue and KIS's answer
  std::uint64_t journal_errors = 0;
  const order_blotter* blotter = nullptr;
};

// The role's figures for the metrics actor, from the same counters as the summary.
void add_executor_figures(actor_sample& s, const executor_summary& sum, const executor_extras& x);

// An error as the executor writes it into an order's message: the KIS code and text, or CAF's
// rendering of anything else.
std::string describe_error(const caf::actor_system& sys, const caf::error& err);

} // namespace kis
