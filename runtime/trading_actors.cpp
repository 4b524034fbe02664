#include "runtime/trading_actors.hpp"

#include <algorithm>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/trading/analyzer.hpp"
#include "actors/trading/order_executor.hpp"
#include "actors/trading/strategy_host.hpp"
#include "messages/errors.hpp"
#include "strategies/registry.hpp"

namespace kis {

namespace {

// existing == nullptr: spawn an executor from cfg.executor (with `gateway`) and own it.
caf::expected<trading_actors> spawn_trading_impl(caf::actor_system& sys, trading_config cfg,
                                                 rest_gateway_actor gateway, market_data_actor data,
                                                 ws_feed_actor feed,
                                                 order_executor_actor existing) {
  // Everything that can be wrong in the config is found before the first spawn.
  std::vector<std::shared_ptr<strategy>> made;
  std::set<std::string> ids;
  for (auto& sc : cfg.strategies) {
    if (sc.id.empty())
      sc.id = sc.name;
    if (!ids.insert(sc.id).second)
      return make_kis_error(errc::config, "strategy id '" + sc.id + "' is used twice");
    auto st = make_strategy(sc);
    if (!st)
      return st.error();
    made.push_back(std::move(*st));
  }
  std::vector<std::string> symbols;
  auto add = [&](const std::string& s) {
    if (std::find(symbols.begin(), symbols.end(), s) == symbols.end())
      symbols.push_back(s);
  };
  // Strategies' symbols first: they ask for WebSocket slots before the merely watched ones.
  for (const auto& sc : cfg.strategies)
    for (const auto& s : sc.symbols)
      add(s);
  for (const auto& s : cfg.symbols)
    add(s);

  trading_actors p;
  if (existing) {
    p.executor = std::move(existing);
  } else {
    auto exec = spawn_order_executor(sys, cfg.executor, gateway, feed);
    if (!exec)
      return exec.error();
    p.executor = *exec;
    p.owned_executor = *exec;
  }

  auto groups = std::max<std::size_t>(1, std::min(cfg.analyzers, symbols.size()));
  auto ac = cfg.analyzer;
  ac.price_sink = p.executor; // the executor's market view
  std::vector<analyzer_config> acs(groups, ac);
  for (std::size_t i = 0; i < symbols.size(); ++i) { // round robin keeps groups even
    acs[i % groups].symbols.push_back(symbols[i]);
    p.owner_of[symbols[i]] = i % groups;
  }
  for (std::size_t i = 0; i < groups && !symbols.empty(); ++i) {
    acs[i].name = "analyzer-" + std::to_string(i);
    p.analyzers.push_back(spawn_analyzer(sys, acs[i], data, feed));
  }

  for (std::size_t i = 0; i < cfg.strategies.size(); ++i) {
    const auto& sc = cfg.strategies[i];
    // A Python strategy is the user's own, whatever its name says.
    const auto* info = sc.file.empty() ? strategy_registry::global().find(sc.name) : nullptr;
    bool trade = may_trade(cfg.mode, info != nullptr && info->example, sc.trade);
    strategy_host_config hc;
    hc.id = sc.id;
    hc.trade = trade;
    hc.signal_ttl = sc.signal_ttl;
    hc.default_venue = sc.default_venue;
    hc.clock = cfg.executor.clock;
    hc.calendar = cfg.executor.venues.calendar;
    auto host = spawn_strategy_host(sys, made[i], hc, p.executor);
    for (const auto& sym : sc.symbols)
      caf::anon_send(p.analyzers[p.owner_of[sym]], follow_atom_v, sym, host);
    p.strategies.push_back(host);
    p.strategy_ids.push_back(sc.id);
    p.trading.push_back(trade);
  }
  return p;
}

} // namespace

caf::expected<trading_actors> spawn_trading_actors(caf::actor_system& sys, trading_config cfg,
                                                   rest_gateway_actor gateway, ws_feed_actor feed) {
  market_data_actor data = gateway;
  return spawn_trading_impl(sys, std::move(cfg), std::move(gateway), std::move(data),
                            std::move(feed), order_executor_actor{});
}

caf::expected<trading_actors> spawn_trading_actors(caf::actor_system& sys, trading_config cfg,
                                                   market_data_actor gateway, ws_feed_actor feed,
                                                   order_executor_actor executor) {
  if (!executor)
    return make_kis_error(errc::config, "spawn_trading_actors: no executor to attach to");
  return spawn_trading_impl(sys, std::move(cfg), rest_gateway_actor{}, std::move(gateway),
                            std::move(feed), std::move(executor));
}

trading_summary collect_trading_summary(caf::actor_system& sys, const trading_actors& p, bool drain,
                                        std::chrono::milliseconds timeout) {
  trading_summary out;
  caf::scoped_actor self{sys};
  auto take_summary = [&](executor_summary& s) { out.executor = std::move(s); };
  auto ignore = [](caf::error&) {};
  if (drain && p.owned_executor)
    self->request(p.owned_executor, timeout, drain_atom_v).receive(take_summary, ignore);
  else
    self->request(p.executor, timeout, status_atom_v).receive(take_summary, ignore);
  auto append = [](std::vector<metric_point>& into) {
    return
        [&into](std::vector<metric_point>& ms) { into.insert(into.end(), ms.begin(), ms.end()); };
  };
  for (const auto& a : p.analyzers)
    self->request(a, timeout, status_atom_v).receive(append(out.analyzers), ignore);
  for (const auto& s : p.strategies)
    self->request(s, timeout, status_atom_v).receive(append(out.strategies), ignore);
  for (const auto& m : out.analyzers) {
    if (m.name != metric_names::analyzer_symbols)
      continue;
    for (const auto& l : m.labels) {
      if (l.name == "source" && l.value == "ws")
        out.symbols_ws += static_cast<std::uint64_t>(m.value);
      if (l.name == "source" && l.value == "poll")
        out.symbols_polled += static_cast<std::uint64_t>(m.value);
    }
  }
  return out;
}

void own_trading_actors(runtime::actor_owner& owner, const trading_actors& p) {
  if (p.owned_executor)
    owner.own(p.owned_executor); // stopped last: the owner stops the newest first
  for (const auto& a : p.analyzers)
    owner.own(a);
  for (const auto& s : p.strategies)
    owner.own(s);
}

} // namespace kis
