// ws_feed and the market's calendar (issue #14): quiet when closed - market-data registrations
// released while no traded venue is open, registered again just before the open - and the TR
// family of each symbol's market (KRX H0ST.., Nextrade H0NX.., combined H0UN..).
#include "feed_fixture.hpp"

#include "kis/kst.hpp"
#include "kis/sessions.hpp"

namespace {

using namespace kis::feed_test;

// Tuesday 2026-03-10 (KST), an ordinary trading day.
std::int64_t kst(const char* when) {
  return *kis::api::kst::parse_datetime(std::string{"2026-03-10 "} + when);
}

struct FeedSessionsTest : FeedTest {
  std::shared_ptr<manual_wall_clock> market = std::make_shared<manual_wall_clock>();

  FeedSessionsTest() {
    cfg.clock = market;
    cfg.calendar = std::make_shared<const sessions::calendar>(sessions::calendar::year_2026());
    cfg.wake_before = std::chrono::minutes{1};
    cfg.silence_timeout = std::chrono::hours{24}; // the fake server sends no PINGPONG
  }

  void at(std::int64_t utc_ns) {
    market->set(wall_time{std::chrono::nanoseconds{utc_ns}});
    sched.advance_time(cfg.tick_interval); // the feed looks at the calendar every tick
    sched.run();
  }

  std::size_t registrations_of(const std::string& tr, const std::string& key, const char* type) {
    const auto& t = session().texts;
    return static_cast<std::size_t>(std::count_if(t.begin(), t.end(), [&](const std::string& s) {
      return s.find(R"("tr_id":")" + tr + "\"") != std::string::npos &&
             s.find(R"("tr_key":")" + key + "\"") != std::string::npos &&
             s.find(std::string{R"("tr_type":")"} + type + "\"") != std::string::npos;
    }));
  }
};

TEST_F(FeedSessionsTest, AClosedMarketRegistersNoMarketDataUntilJustBeforeTheOpen) {
  market->set(wall_time{std::chrono::nanoseconds{kst("03:00:00")}});
  start();
  link_up();
  auto log = std::make_shared<sink_log>();
  auto sink = spawn_sink(log);
  auto notices = sys.spawn(notice_sink, log);
  ASSERT_TRUE(subscribe(notices, feed_channel::notices, "HTSID", "OPSP0000"));
  auto refused = subscribe(sink, feed_channel::trades, "005930");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), errc::session_closed); // its subscriber would poll; closed: nothing
  EXPECT_EQ(registrations_of("H0STCNT0", "005930", "1"), 0u);
  EXPECT_TRUE(status().market_closed);
  EXPECT_EQ(status().slots_used, 1u); // the notices stay registered

  at(kst("07:58:50")); // Nextrade's pre-market opens at 08:00: still more than a minute away
  EXPECT_EQ(registrations_of("H0STCNT0", "005930", "1"), 0u);
  at(kst("07:59:00"));
  EXPECT_FALSE(status().market_closed);
  EXPECT_EQ(registrations_of("H0STCNT0", "005930", "1"), 1u);
  server(ack("H0STCNT0", "005930", "OPSP0000"));
  ASSERT_EQ(log->slots.size(), 1u);
  EXPECT_EQ(log->slots[0], std::make_pair(std::string{"005930"}, true));
  server(trade_frame("005930"));
  EXPECT_EQ(log->ticks.size(), 1u);
}

TEST_F(FeedSessionsTest, TheCloseReleasesMarketDataAndTheNextOpenBringsItBack) {
  market->set(wall_time{std::chrono::nanoseconds{kst("19:58:00")}}); // Nextrade's after-market
  auto log = start_streaming_two();
  ASSERT_EQ(status().slots_used, 2u);

  at(kst("20:00:01"));
  EXPECT_TRUE(status().market_closed);
  EXPECT_EQ(registrations_of("H0STCNT0", "005930", "2"), 1u);
  EXPECT_EQ(registrations_of("H0STASP0", "000660", "2"), 1u);
  EXPECT_EQ(status().slots_used, 0u);
  ASSERT_EQ(log->slots.size(), 2u); // both told: their analyzers poll nothing while closed
  EXPECT_FALSE(log->slots[0].second);
  EXPECT_FALSE(log->slots[1].second);
  server(ack("H0STCNT0", "005930", "OPSP0001")); // the server frees the room
  server(ack("H0STASP0", "000660", "OPSP0001"));

  // A reconnect during the night registers nothing but what is left (none here).
  auto sessions_before = wire->sessions.size();
  caf::anon_send(feed, link_down_atom_v, session().id, std::string{"night"});
  sched.run();
  for (int i = 0; i < 10 && wire->sessions.size() == sessions_before; ++i)
    at(kst("23:00:00"));
  link_up();
  EXPECT_EQ(registrations_of("H0STCNT0", "005930", "1"), 0u);

  at(*kis::api::kst::parse_datetime("2026-03-11 07:59:30"));
  EXPECT_FALSE(status().market_closed);
  EXPECT_EQ(registrations_of("H0STCNT0", "005930", "1"), 1u);
  EXPECT_EQ(registrations_of("H0STASP0", "000660", "1"), 1u);
  EXPECT_EQ(status().slots_used, 2u);
}

TEST_F(FeedSessionsTest, AtTheWakeUpTheHigherPriorityRegistersFirst) {
  market->set(wall_time{std::chrono::nanoseconds{kst("19:58:00")}});
  start();
  link_up();
  auto log = std::make_shared<sink_log>();
  auto sink = spawn_sink(log);
  for (auto [symbol, priority] : {std::pair{"000001", 0}, std::pair{"000002", 5}}) {
    auto h = self->request(feed, caf::infinite,
                           subscribe_request{feed_channel::trades, symbol, priority}, sink);
    sched.run();
    server(ack("H0STCNT0", symbol, "OPSP0000"));
    ASSERT_FALSE(self->mailbox().empty());
    h.receive([](subscription&) {}, [](caf::error&) { FAIL(); });
  }
  at(kst("20:00:01"));
  server(ack("H0STCNT0", "000001", "OPSP0001"));
  server(ack("H0STCNT0", "000002", "OPSP0001"));
  const auto before = session().texts.size();
  at(*kis::api::kst::parse_datetime("2026-03-11 07:59:30"));
  const auto& t = session().texts;
  ASSERT_EQ(t.size(), before + 2);
  EXPECT_NE(t[before].find("000002"), std::string::npos) << "priority 5 first";
  EXPECT_NE(t[before + 1].find("000001"), std::string::npos);
}

TEST_F(FeedSessionsTest, EachSymbolStreamsOnItsMarketsTrFamily) {
  cfg.calendar = nullptr; // always open
  start();
  link_up();
  auto log = std::make_shared<sink_log>();
  auto sink = spawn_sink(log);
  auto ask = [&](const std::string& symbol, market_code m) {
    auto h = self->request(feed, caf::infinite,
                           subscribe_request{feed_channel::trades, symbol, 0, m}, sink);
    sched.run();
    return h;
  };
  auto nx = ask("005930", market_code::nxt);
  auto un = ask("000660", market_code::combined);
  EXPECT_EQ(registrations_of("H0NXCNT0", "005930", "1"), 1u);
  EXPECT_EQ(registrations_of("H0UNCNT0", "000660", "1"), 1u);
  server(ack("H0NXCNT0", "005930", "OPSP0000"));
  server(ack("H0UNCNT0", "000660", "OPSP0000"));
  ASSERT_EQ(self->mailbox().size(), 2u); // both answered
  nx.receive([](subscription&) {}, [](caf::error&) { FAIL(); });
  un.receive([](subscription&) {}, [](caf::error&) { FAIL(); });

  server("0|H0NXCNT0|001|005930" + trade_tail);
  server("0|H0UNCNT0|001|000660" + trade_tail);
  server(trade_frame("005930")); // KRX's own trades of it: not what was asked for
  ASSERT_EQ(log->ticks.size(), 2u);
  EXPECT_EQ(log->ticks[0].market, market_code::nxt);
  EXPECT_EQ(log->ticks[1].market, market_code::combined);
  EXPECT_EQ(status().parse_errors, 0u);

  // Unsubscribing names the same market; the registration goes.
  self->send(feed, caf::unsubscribe_atom_v,
             subscribe_request{feed_channel::trades, "005930", 0, market_code::nxt}, sink);
  sched.run();
  EXPECT_EQ(registrations_of("H0NXCNT0", "005930", "2"), 1u);
}

} // namespace
