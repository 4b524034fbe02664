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
  point(m::signals_total, metric_type::counter, static_cast<double>(sum.signals));
  point(metric_names::signals_accepted_total, metric_type::counter,
        static_cast<double>(sum.accepted));
  for (const auto& r : sum.refused)
    point(m::signal_refusals_total, metric_type::counter, static_cast<double>(r.count),
          {{"reason", r.name}});
  for (const auto& o : sum.orders)
    point(m::orders, metric_type::gauge, static_cast<double>(o.count), {{"state", o.name}});
  point(m::fills_total, metric_type::counter, static_cast<double>(sum.fills));
  point(m::realized_pnl_krw, metric_type::gauge, static_cast<double>(sum.realized_pnl));
  point(metric_names::executor_orders_open, metric_type::gauge, static_cast<double>(x.open));
  point(metric_names::executor_in_flight, metric_type::gauge, static_cast<double>(x.in_flight));
  point(metric_names::executor_journal_errors_total, metric_type::counter,
        static_cast<double>(x.journal_errors));
  point(metric_names::executor_killed, metric_type::gauge, sum.killed ? 1 : 0);
  // The console's positions and blotter: a bounded set of series (positions held, 20 orders).
  for (const auto& p : sum.positions) {
    const std::vector<label> sym{{"symbol", p.symbol}};
    point(metric_names::position_qty, metric_type::gauge, static_cast<double>(p.qty), sym);
    point(metric_names::position_avg_price, metric_type::gauge, static_cast<double>(p.avg_price),
          sym);
    point(metric_names::position_last_price, metric_type::gauge, static_cast<double>(p.last_price),
          sym);
    point(metric_names::position_realized_pnl_krw, metric_type::gauge,
          static_cast<double>(p.realized_pnl), sym);
  }
  if (x.blotter == nullptr)
    return;
  for (const auto& r : x.blotter->rows()) {
    const auto& u = r.last;
    const std::vector<label> id{{"id", u.client_id}};
    point(metric_names::blotter_qty, metric_type::gauge, static_cast<double>(u.qty),
          {{"id", u.client_id},
           {"symbol", u.symbol},
           {"side", u.dir == side::buy ? "buy" : "sell"},
           {"status", std::string{to_string_view(u.status)}}});
    point(metric_names::blotter_filled_qty, metric_type::gauge, static_cast<double>(u.filled_qty),
          id);
    point(metric_names::blotter_avg_price, metric_type::gauge,
          static_cast<double>(u.avg_fill_price), id);
    point(metric_names::blotter_life_seconds, metric_type::gauge,
          static_cast<double>(u.at_ns - r.first_ns) / 1e9, id);
  }
}

void order_blotter::note(const order_update& up) {
  if (up.client_id.empty())
    return;
  for (auto& r : rows_)
    if (r.last.client_id == up.client_id) {
      r.last = up;
      return;
    }
  rows_.push_back({up, up.at_ns});
  while (rows_.size() > keep)
    rows_.pop_front();
}

std::string describe_error(const caf::actor_system& sys, const caf::error& err) {
  if (err.category() == caf::atom("kis")) {
    auto v = view(err);
    return to_string(v.code) + (v.kis_code.empty() ? "" : " " + v.kis_code) + ": " + v.message;
  }
  return sys.render(err);
}

} // namespace kis
