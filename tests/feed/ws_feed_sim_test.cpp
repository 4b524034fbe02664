// ws_feed against kis-sim's WebSocket side on 127.0.0.1, through the real Beast client and the
// real token keeper: the 41 cap with 60 symbols asked, decrypted notices after an order,
// forced drops with every registration back, and pings answered.
#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <gtest/gtest.h>

#include "actors/budget/rate_governor.hpp"
#include "actors/budget/rest_gateway.hpp"
#include "runtime/transports.hpp"
#include "actors/budget/token_keeper.hpp"
#include "actors/feed/ws_feed.hpp"
#include "messages/registry.hpp"
#include "sim/server.hpp"
#include "support/eventually.hpp"

using namespace std::chrono_literals;

namespace {

struct feed_config : caf::actor_system_config {
  feed_config() {
    kis::register_messages(*this);
    set("scheduler.max-threads", 2);
  }
};

struct tick_count {
  std::atomic<std::uint64_t> ticks{0};
};

kis::market_sink_actor::behavior_type counting_sink(std::shared_ptr<tick_count> c) {
  return {[c](const kis::trade_tick&) { ++c->ticks; }, [](const kis::order_book&) {},
          [](kis::slot_atom, const std::string&, bool) {}};
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 15s) {
  return kis::test::eventually(done, limit);
}

class FeedAgainstSim : public ::testing::Test {
protected:
  FeedAgainstSim()
      : sim_(make_options()) {}

  static kis::sim::options make_options() {
    kis::sim::options so;
    so.seed = 11;
    so.market_step = 50ms;
    so.ws.push_interval = 50ms;
    so.ws.ping_interval = 300ms;
    return so;
  }

  void SetUp() override {
    sim_.start();
    const auto cred = kis::sim::default_credentials();
    auto transport = kis::make_curl_transport(kis::api::transport_options{});
    kis::token_keeper_config kc;
    kc.app_key = cred.app_key;
    keeper_ = kis::spawn_token_keeper(
        sys_, kc,
        kis::make_oauth_issuer(transport, kis::api::environment::real, sim_.rest_url(), cred));
    gov_ = kis::spawn_rate_governor(sys_, kis::governor_config{});
    kis::gateway_config gwc;
    gwc.base_url = sim_.rest_url();
    gwc.cred = cred;
    gwc.transport = transport;
    gateway_ = kis::spawn_rest_gateway(sys_, gwc, gov_, keeper_);
    kis::ws_feed_config fc;
    fc.url = sim_.ws_url();
    fc.tick_interval = 50ms;
    fc.silence_timeout = 5s;
    fc.backoff_min = 50ms;
    fc.backoff_max = 500ms;
    fc.transport = kis::beast_transport_factory(fc);
    feed_ = kis::spawn_ws_feed(sys_, fc, keeper_);
  }

  void TearDown() override {
    for (auto a : {caf::actor_cast<caf::actor>(feed_), caf::actor_cast<caf::actor>(gateway_),
                   caf::actor_cast<caf::actor>(gov_), caf::actor_cast<caf::actor>(keeper_)})
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  }

  kis::feed_status status() {
    kis::feed_status out;
    self_->request(feed_, 5s, kis::status_atom_v)
        .receive([&](kis::feed_status& s) { out = s; }, [](caf::error&) {});
    return out;
  }

  kis::sim::server sim_;
  feed_config cfg_;
  caf::actor_system sys_{cfg_};
  caf::scoped_actor self_{sys_};
  kis::token_keeper_actor keeper_;
  kis::rate_governor_actor gov_;
  kis::rest_gateway_actor gateway_;
  kis::ws_feed_actor feed_;
};

TEST_F(FeedAgainstSim, CapNoticesDropsAndPings) {
  // Notices first: their slot is pinned, so 60 symbols get 40 slots and 20 typed refusals.
  caf::scoped_actor notices{sys_};
  bool notice_ok = false;
  self_
      ->request(feed_, 10s,
                kis::subscribe_request{kis::feed_channel::notices, sim_.config().cred.hts_id, 9},
                caf::actor_cast<kis::notice_sink_actor>(notices))
      .receive([&](kis::subscription&) { notice_ok = true; },
               [&](caf::error& e) { ADD_FAILURE() << sys_.render(e); });
  ASSERT_TRUE(notice_ok);

  auto count = std::make_shared<tick_count>();
  auto sink = sys_.spawn(counting_sink, count);
  auto symbols = sim_.symbols();
  ASSERT_GE(symbols.size(), 60u);
  int granted = 0;
  int refused = 0;
  for (std::size_t i = 0; i < 60; ++i)
    self_
        ->request(feed_, 10s, kis::subscribe_request{kis::feed_channel::trades, symbols[i], 0},
                  sink)
        .receive([&](kis::subscription&) { ++granted; },
                 [&](caf::error& e) {
                   EXPECT_EQ(e, kis::errc::ws_cap_reached) << sys_.render(e);
                   ++refused;
                 });
  EXPECT_EQ(granted, 40);
  EXPECT_EQ(refused, 20);
  EXPECT_TRUE(eventually([&] { return sim_.realtime_stats().registrations == 41; }));
  EXPECT_EQ(status().slots_used, 41u);
  EXPECT_TRUE(eventually([&] { return count->ticks > 0; }));

  // An order: its ack and fill come back as encrypted notices, decrypted by the feed.
  self_
      ->request(
          gateway_, 10s,
          kis::order_request{"it-1", symbols[0], kis::side::buy, kis::order_kind::market, 1, 0})
      .receive([](kis::order_ack&) {}, [&](caf::error& e) { ADD_FAILURE() << sys_.render(e); });
  bool got_notice = false;
  notices->receive(
      [&](const kis::execution_notice& n) {
        got_notice = true;
        EXPECT_EQ(n.symbol, symbols[0]);
        EXPECT_EQ(n.dir, kis::side::buy);
      },
      caf::after(10s) >> [] {});
  EXPECT_TRUE(got_notice);

  // Forced drops: the feed reconnects and every registration comes back.
  for (std::uint64_t round = 1; round <= 2; ++round) {
    sim_.drop_ws_sessions();
    EXPECT_TRUE(eventually([&] {
      auto st = status();
      return st.connected && st.reconnects >= round && st.last_recovery_ns > 0 &&
             sim_.realtime_stats().registrations == 41;
    })) << "round "
        << round;
  }
  auto before = count->ticks.load();
  EXPECT_TRUE(eventually([&] { return count->ticks > before; }));

  // Pings: the server sent several and none went unanswered.
  EXPECT_TRUE(eventually([&] { return sim_.realtime_stats().pings_sent >= 3; }));
  auto rs = sim_.realtime_stats();
  EXPECT_EQ(rs.unanswered_pings, 0u);
  EXPECT_GT(status().pings_answered, 0u);
  EXPECT_EQ(status().parse_errors, 0u);
}

} // namespace
