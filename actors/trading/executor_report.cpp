#include "actors/trading/executor_report.hpp"

#include <caf/actor_system.hpp>
#include <caf/error.hpp>

#include "actors/trading/order_journal.hpp"
#include "messages/errors.hpp"

namespace kis {

std::vector<count_by> count_statuses(const std::map<std::string, order_status>& status_of) {
  std::map<std::string, std::uint64_t> by_status;
  for (const auto& [cid, st] : status_of)
    ++by_status[std::string{to_string_view(st)}];
  return count_list(by_status);
}

std::vector<count_by> count_list(const std::map<std::string, std::uint64_t>& counts) {
  std::vector<count_by> out;
  for (const auto& [name, n] : counts)
    out.push_back({name, n});
  return out;
}

void add_executor_figures(actor_sample& s, const executor_summary& sum, const executor_extras& x) {
  namespace m = metric_names;
  auto point = [&s](std::string series, metric_type type, double v, std::vector<label> ls = {}) {
    s.values.push_back({std::move(series), type, std::move(ls), v});
  };
  point(m::executor_queue_depth, metric_type::gauge, static_cast<double>(sum.queue_depth));
  point(m::signals, metric_type::counter, static_cast<double>(sum.signals));
  point("signals_accepted_total", metric_type::counter, static_cast<double>(sum.accepted));
  for (const auto& r : sum.refused)
    point(m::signal_refusals, metric_type::counter, static_cast<double>(r.count),
          {{"reason", r.name}});
  for (const auto& o : sum.orders)
    point(m::orders, metric_type::gauge, static_cast<double>(o.count), {{"state", o.name}});
  point(m::fills, metric_type::counter, static_cast<double>(sum.fills));
  point(m::realized_pnl, metric_type::gauge, static_cast<double>(sum.realized_pnl));
  point("executor_orders_open", metric_type::gauge, static_cast<double>(x.open));
  point("executor_in_flight", metric_type::gauge, static_cast<double>(x.in_flight));
  point("executor_journal_errors_total", metric_type::counter,
        static_cast<double>(x.journal_errors));
  point("executor_killed", metric_type::gauge, sum.killed ? 1 : 0);
}

std::string describe_error(const caf::actor_system& sys, const caf::error& err) {
  if (err.category() == caf::atom("kis")) {
    auto v = view(err);
    return to_string(v.code) + (v.kis_code.empty() ? "" : " " + v.kis_code) + ": " + v.message;
  }
  return sys.render(err);
}

} // namespace kis
