// One engine's worth of actors against kis-sim on loopback (governor, token keeper, gateway,
// optionally the feed, and the executor), and the helpers the executor's kis-sim tests share
// (executor_sim_test.cpp, executor_venues_sim_test.cpp).
#pragma once

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include <unistd.h>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <gtest/gtest.h>
#include "actors/trading/order_executor.hpp"
#include "actors/trading/order_journal.hpp"
#include "actors/budget/rate_governor.hpp"
#include "actors/budget/rest_gateway.hpp"
#include "runtime/transports.hpp"
#include "actors/budget/token_keeper.hpp"
#include "actors/feed/ws_feed.hpp"
#include "kis/kst.hpp"
#include "messages/errors.hpp"
#include "messages/registry.hpp"
#include "sim/server.hpp"
#include "support/eventually.hpp"

using namespace std::chrono_literals;

namespace sim_engine_testing {

using kis::signal; // not ::signal from <csignal>

inline constexpr const char* buy_tr = "TTTC0012U"; // order-cash buy, real environment
inline constexpr const char* cancel_tr = "TTTC0013U";

struct system_config : caf::actor_system_config {
  system_config() {
    kis::register_messages(*this);
    set("scheduler.max-threads", 2);
  }
};

inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 40s) {
  return kis::test::eventually(done, limit);
}

inline std::uint64_t count_of(const std::vector<kis::count_by>& xs, const std::string& name) {
  for (const auto& x : xs)
    if (x.name == name)
      return x.count;
  return 0;
}

inline std::int64_t position_of(const kis::executor_summary& s, const std::string& symbol) {
  for (const auto& p : s.positions)
    if (p.symbol == symbol)
      return p.qty;
  return 0;
}

inline std::vector<kis::journal_entry> journal_entries(const std::string& path) {
  kis::order_journal j;
  if (j.open(path))
    return {};
  return j.all_entries();
}

// The journal actor writes an order's later states after the executor reports them (only the
// intent is durable before the order leaves): wait until the file shows what the test expects.
inline std::vector<kis::journal_entry>
settled_journal(const std::string& path,
                const std::function<bool(const std::vector<kis::journal_entry>&)>& done) {
  std::vector<kis::journal_entry> out;
  eventually([&] {
    out = journal_entries(path);
    return done(out);
  });
  return out;
}

inline bool all_filled(const std::vector<kis::journal_entry>& es) {
  return std::all_of(es.begin(), es.end(), [](const auto& e) {
    return e.status == kis::order_status::filled && e.filled_qty == e.qty;
  });
}

// Every order number the exchange handed out appears once, and no new-order request repeats.
inline void expect_no_duplicate(const std::vector<kis::sim::order_log_entry>& log) {
  std::map<std::string, int> numbers;
  for (const auto& o : log) {
    if (!o.order_no.empty()) {
      EXPECT_EQ(++numbers[o.order_no], 1) << "order number " << o.order_no << " twice";
    }
  }
  std::map<std::string, int> cancels;
  for (const auto& o : log) {
    if (!o.orig_order_no.empty()) {
      EXPECT_EQ(++cancels[o.orig_order_no], 1) << "order " << o.orig_order_no << " cancelled twice";
    }
  }
}

// One engine's worth of actors on its own actor system (so a test can stop it abruptly and
// start another one): governor, token keeper (token cached in a directory, as on a restart),
// gateway, optionally the WebSocket feed for execution notices, and the executor.
class engine {
public:
  engine(kis::sim::server& sim, const std::string& journal, const std::filesystem::path& cache,
         bool notices, const std::function<void(kis::executor_config&)>& tweak = {},
         kis::api::environment env = kis::api::environment::real) {
    const auto cred = kis::sim::default_credentials();
    kis::api::transport_options topts;
    topts.connect_timeout = 3s;
    topts.total_timeout = 3s; // a hung order response becomes an unknown outcome after this
    auto transport = kis::make_curl_transport(topts);
    kis::token_keeper_config kc;
    kc.app_key = cred.app_key;
    kc.cache_dir = cache;
    keeper_ = kis::spawn_token_keeper(*sys_, kc,
                                      kis::make_oauth_issuer(transport, env, sim.rest_url(), cred));
    kis::governor_config gc;
    gc.limit = static_cast<std::uint32_t>(kis::api::default_rate_limit(env));
    governor_ = kis::spawn_rate_governor(*sys_, gc);
    kis::gateway_config gwc;
    gwc.base_url = sim.rest_url();
    gwc.cred = cred;
    gwc.transport = transport;
    gwc.quote_ttl = 0ms;
    gwc.env = env;
    gateway_ = kis::spawn_rest_gateway(*sys_, gwc, governor_, keeper_);
    if (notices) {
      kis::ws_feed_config fc;
      fc.url = sim.ws_url();
      fc.tick_interval = 100ms;
      fc.backoff_min = 50ms;
      fc.backoff_max = 500ms;
      fc.transport = kis::beast_transport_factory(fc);
      feed_ = kis::spawn_ws_feed(*sys_, fc, keeper_);
    }
    kis::executor_config ec;
    ec.journal_path = journal;
    ec.request_timeout = 30s; // the transport times out first
    ec.reconcile_interval = 200ms;
    ec.fill_poll_interval = 200ms;
    ec.reconcile_attempts = 3;
    ec.drain_timeout = 30s;
    ec.risk.price_collar_pct = 40; // resting orders far from the market
    ec.hts_id = notices ? cred.hts_id : std::string{};
    ec.venues.env = env;
    if (tweak)
      tweak(ec);
    auto e = kis::spawn_order_executor(*sys_, ec, gateway_, feed_);
    if (!e)
      throw std::runtime_error(sys_->render(e.error()));
    exec_ = *e;
  }

  ~engine() {
    if (!sys_)
      return;
    for (const auto& a : actors())
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    self_.reset();
  }

  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  // Like kill -9 as far as the engine's state goes: no drain, no journal update, whatever is
  // in flight is lost with the actors.
  void stop_abruptly() {
    for (const auto& a : actors())
      caf::anon_send_exit(a, caf::exit_reason::kill);
    self_.reset();
    sys_.reset();
  }

  // The executor's verdict on a signal: an ack, or the refusal.
  std::pair<std::optional<kis::signal_ack>, caf::error> submit(const signal& s) {
    std::pair<std::optional<kis::signal_ack>, caf::error> out;
    (*self_)
        ->request(exec_, 60s, s)
        .receive([&](kis::signal_ack& a) { out.first = a; },
                 [&](caf::error& e) { out.second = e; });
    return out;
  }

  std::string accepted(const signal& s) {
    auto [ack, err] = submit(s);
    EXPECT_TRUE(ack.has_value()) << sys_->render(err);
    return ack ? ack->client_id : std::string{};
  }

  kis::executor_summary status() { return ask<kis::executor_summary>(exec_, kis::status_atom_v); }

  // What the feed has seen; records counts every decoded record (notices included).
  kis::feed_status feed() { return ask<kis::feed_status>(feed_, kis::status_atom_v); }

  kis::executor_summary drain() {
    return ask<kis::executor_summary>(exec_, kis::drain_atom_v, 60s);
  }

  // One request and its answer; an error fails the test and answers a default T.
  template <class T, class Handle, class Atom>
  T ask(const Handle& to, Atom what, std::chrono::seconds timeout = 30s) {
    T out;
    (*self_)
        ->request(to, timeout, what)
        .receive([&](T& x) { out = std::move(x); },
                 [&](caf::error& e) { ADD_FAILURE() << sys_->render(e); });
    return out;
  }

  // inquire-daily-ccld of today through the gateway.
  std::vector<kis::fill_record> today_fills() {
    auto today = kis::api::kst::date_of(kis::default_wall_clock()->now_ns());
    std::vector<kis::fill_record> out;
    (*self_)
        ->request(gateway_, 30s, kis::fills_query{today, today, "", "", 0})
        .receive([&](std::vector<kis::fill_record>& rows) { out = std::move(rows); },
                 [&](caf::error& e) { ADD_FAILURE() << sys_->render(e); });
    return out;
  }

  // The executor's view, for failure messages.
  std::string dump() {
    auto s = status();
    std::string out = "accepted " + std::to_string(s.accepted) + ", fills " +
                      std::to_string(s.fills) + ", orders:";
    for (const auto& o : s.orders)
      out += " " + o.name + "=" + std::to_string(o.count);
    for (const auto& r : s.refused)
      out += ", refused " + r.name + "=" + std::to_string(r.count);
    for (const auto& e : journal_entries(s.journal_path))
      out += "\n  " + e.client_id + " " + e.symbol + " qty " + std::to_string(e.qty) + " filled " +
             std::to_string(e.filled_qty) + " status " +
             std::to_string(static_cast<int>(e.status)) + " odno '" + e.order_no + "' " + e.message;
    return out;
  }

  bool orders_in(const std::string& state, std::uint64_t n) {
    return count_of(status().orders, state) == n;
  }

private:
  std::vector<caf::actor> actors() const {
    std::vector<caf::actor> out{
        caf::actor_cast<caf::actor>(exec_), caf::actor_cast<caf::actor>(gateway_),
        caf::actor_cast<caf::actor>(governor_), caf::actor_cast<caf::actor>(keeper_)};
    if (feed_)
      out.push_back(caf::actor_cast<caf::actor>(feed_));
    return out;
  }

  system_config cfg_;
  std::unique_ptr<caf::actor_system> sys_ = std::make_unique<caf::actor_system>(cfg_);
  std::optional<caf::scoped_actor> self_{std::in_place, *sys_};
  kis::token_keeper_actor keeper_;
  kis::rate_governor_actor governor_;
  kis::rest_gateway_actor gateway_;
  kis::ws_feed_actor feed_;
  kis::order_executor_impl_actor exec_;
};

} // namespace sim_engine_testing
