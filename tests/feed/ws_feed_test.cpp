// ws_feed under CAF's deterministic scheduler, with a fake transport (the test plays the
// server by injecting link and frame messages) and a fake token keeper.
#include "support/caf_gtest.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "feed_fixture.hpp"
#include "kis/notice_crypto.hpp"
#include "messages/errors.hpp"
#include "support/metrics_probe.hpp"

namespace {

using namespace kis::feed_test;

TEST_F(FeedTest, AsksForTheApprovalKeyOnceAndRegistersWhenTheLinkIsUp) {
  start();
  ASSERT_EQ(wire->sessions.size(), 1u);
  EXPECT_EQ(wire->approvals, 1u);
  auto log = std::make_shared<sink_log>();
  auto sink = spawn_sink(log);
  // Before the link is up the slot is held and the answer comes at once.
  auto a = subscribe(sink, feed_channel::trades, "005930");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->slots_used, 1u);
  EXPECT_TRUE(session().texts.empty());
  link_up();
  ASSERT_EQ(session().texts.size(), 1u);
  EXPECT_NE(session().texts[0].find(R"("approval_key":"APPROVAL-SECRET")"), std::string::npos);
  EXPECT_NE(session().texts[0].find(R"("tr_type":"1")"), std::string::npos);
  // Once up, a new registration answers after the server's ack.
  auto b = subscribe(sink, feed_channel::book, "000660", "OPSP0000");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->channel, feed_channel::book);
  EXPECT_EQ(wire->approvals, 1u); // never a keeper call per registration
  EXPECT_EQ(status().slots_used, 2u);
}

TEST_F(FeedTest, SubscribersOfOneSymbolShareOneRegistration) {
  start();
  link_up();
  auto l1 = std::make_shared<sink_log>();
  auto l2 = std::make_shared<sink_log>();
  auto s1 = spawn_sink(l1);
  auto s2 = spawn_sink(l2);
  ASSERT_TRUE(subscribe(s1, feed_channel::trades, "005930", "OPSP0000"));
  auto second = subscribe(s2, feed_channel::trades, "005930");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->sharers, 2u);
  EXPECT_EQ(second->slots_used, 1u);
  EXPECT_EQ(count_with(session().texts, R"("tr_type":"1")"), 1u);
  server(trade_frame("005930"));
  ASSERT_EQ(l1->ticks.size(), 1u);
  ASSERT_EQ(l2->ticks.size(), 1u);
  EXPECT_EQ(l2->ticks[0].price, 250500);
  subscribe_request req{feed_channel::trades, "005930", 0};
  self->send(feed, caf::unsubscribe_atom_v, req, s1);
  sched.run();
  EXPECT_EQ(count_with(session().texts, R"("tr_type":"2")"), 0u);
  self->send(feed, caf::unsubscribe_atom_v, req, s2);
  sched.run();
  EXPECT_EQ(count_with(session().texts, R"("tr_type":"2")"), 1u);
  EXPECT_EQ(status().slots_used, 0u);
}

TEST_F(FeedTest, CapRefusesWithTypedErrorAndKeepsTheNoticeSlot) {
  start();
  auto sink = spawn_sink(std::make_shared<sink_log>());
  for (auto sym : {"000001", "000002", "000003", "000004"})
    ASSERT_TRUE(subscribe(sink, feed_channel::trades, sym));
  auto refused = subscribe(sink, feed_channel::trades, "000005");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), errc::ws_cap_reached);
  EXPECT_NE(view(refused.error()).message.find("REST"), std::string::npos);
  auto notices = sys.spawn(notice_sink, std::make_shared<sink_log>());
  auto n = subscribe(notices, feed_channel::notices, "hts1");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->slots_used, 5u);
  auto full = subscribe(notices, feed_channel::notices, "hts2");
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error(), errc::ws_cap_reached);
}

TEST_F(FeedTest, SubscriberDeathReleasesItsRegistrations) {
  start();
  link_up();
  auto sink = spawn_sink(std::make_shared<sink_log>());
  ASSERT_TRUE(subscribe(sink, feed_channel::trades, "005930", "OPSP0000"));
  caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
  sched.run();
  EXPECT_EQ(count_with(session().texts, R"("tr_type":"2")"), 1u);
  EXPECT_EQ(status().slots_used, 0u);
}

TEST_F(FeedTest, ServerRefusalReachesTheRequester) {
  start();
  link_up();
  auto sink = spawn_sink(std::make_shared<sink_log>());
  auto r = subscribe(sink, feed_channel::trades, "005930", "OPSP0008");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::ws_cap_reached);
  EXPECT_EQ(view(r.error()).kis_code, "OPSP0008");
  EXPECT_EQ(status().slots_used, 0u);
}

TEST_F(FeedTest, ReconnectsWithBackoffAndReRegistersEverything) {
  auto log = start_streaming_two();
  ASSERT_FALSE(HasFailure());
  caf::anon_send(feed, link_down_atom_v, session().id, std::string{"reset"});
  sched.run();
  EXPECT_FALSE(session().alive);
  EXPECT_FALSE(status().connected);
  // The first retry comes within backoff_min (jittered down to half), at tick resolution.
  for (int i = 0; i < 2 && wire->sessions.size() < 2; ++i) {
    sched.advance_time(cfg.tick_interval);
    sched.run();
  }
  ASSERT_EQ(wire->sessions.size(), 2u);
  EXPECT_EQ(wire->approvals, 2u); // the session was gone: ask again
  link_up();
  EXPECT_EQ(count_with(session().texts, R"("tr_type":"1")"), 2u);
  server(ack("H0STCNT0", "005930", "OPSP0002")); // already subscribed counts as success
  EXPECT_EQ(status().last_recovery_ns, 0);
  server(ack("H0STASP0", "000660", "OPSP0000"));
  auto st = status();
  EXPECT_TRUE(st.connected);
  EXPECT_EQ(st.reconnects, 1u);
  EXPECT_EQ(st.slots_used, 2u);
  EXPECT_GT(st.last_recovery_ns, 0);
  // Frames of the old session are ignored; the new one delivers.
  server(wire->sessions[0]->id, trade_frame("005930"));
  EXPECT_TRUE(log->ticks.empty());
  server(trade_frame("005930"));
  EXPECT_EQ(log->ticks.size(), 1u);
}

TEST_F(FeedTest, RefusedApprovalKeyIsReissuedOnTheNextConnect) {
  start();
  link_up();
  auto sink = spawn_sink(std::make_shared<sink_log>());
  self->send(feed, subscribe_request{feed_channel::trades, "005930", 0}, sink);
  sched.run();
  server(ack("H0STCNT0", "005930", "OPSP0011"));
  EXPECT_FALSE(session().alive);
  while (wire->sessions.size() < 2) {
    sched.advance_time(cfg.tick_interval);
    sched.run();
  }
  EXPECT_EQ(wire->fresh_approvals, 1u);
  link_up();
  ASSERT_EQ(session().texts.size(), 1u); // the registration was kept and is sent again
  EXPECT_NE(session().texts[0].find("APPROVAL-SECRET-2"), std::string::npos);
}

TEST_F(FeedTest, AnswersPingWithEchoAndPongFrame) {
  start();
  link_up();
  const std::string ping = R"({"header":{"tr_id":"PINGPONG","datetime":"20241011121818"}})";
  server(ping);
  ASSERT_EQ(session().texts.size(), 1u);
  EXPECT_EQ(session().texts[0], ping);
  ASSERT_EQ(session().pongs.size(), 1u);
  EXPECT_EQ(session().pongs[0], ping);
  EXPECT_EQ(status().pings_answered, 1u);
}

TEST_F(FeedTest, WatchdogReconnectsWhenTheServerFallsSilent) {
  start();
  link_up();
  for (int i = 0; i < 9; ++i) {
    sched.advance_time(1s);
    sched.run();
  }
  const std::string ping = R"({"header":{"tr_id":"PINGPONG","datetime":"20241011121818"}})";
  server(ping); // a ping resets the watchdog
  for (int i = 0; i < 9; ++i) {
    sched.advance_time(1s);
    sched.run();
  }
  EXPECT_EQ(wire->sessions.size(), 1u);
  for (int i = 0; i < 4 && wire->sessions.size() < 2; ++i) {
    sched.advance_time(1s);
    sched.run();
  }
  EXPECT_EQ(wire->sessions.size(), 2u);
}

TEST_F(FeedTest, SlowSubscriberLosesTradesAndGetsTheNewestBook) {
  start();
  link_up();
  // The test's own actor is the subscriber and does not read its mailbox yet.
  auto slow = caf::actor_cast<market_sink_actor>(self);
  ASSERT_TRUE(subscribe(slow, feed_channel::trades, "005930", "OPSP0000"));
  ASSERT_TRUE(subscribe(slow, feed_channel::book, "005930", "OPSP0000"));
  for (int i = 0; i < 5; ++i)
    server(trade_frame("005930")); // window 2: three dropped
  for (int ask = 1000; ask <= 3000; ask += 1000)
    server(book_frame("005930", ask)); // all behind: newest kept, two replaced
  EXPECT_EQ(status().dropped, 5u);
  int ticks = 0;
  std::vector<std::int64_t> asks;
  auto drain = [&] {
    bool more = true;
    while (more)
      self->receive([&](const trade_tick&) { ++ticks; },
                    [&](const order_book& b) { asks.push_back(b.asks[0].price); },
                    caf::after(0s) >> [&] { more = false; });
  };
  drain();     // the two in flight; replying returns credit
  sched.run(); // the feed sends the conflated book
  drain();
  EXPECT_EQ(ticks, 2);
  ASSERT_EQ(asks.size(), 1u);
  EXPECT_EQ(asks[0], 3000);
}

TEST_F(FeedTest, DecryptsNoticesWithTheAckKeyAndForgetsItOnReconnect) {
  start();
  link_up();
  auto log = std::make_shared<sink_log>();
  auto sink = sys.spawn(notice_sink, log);
  ASSERT_TRUE(subscribe(sink, feed_channel::notices, "hts1", "OPSP0000"));
  const std::string plain = "hts1^12345678^0000012345^0000000000^02^0^00^0^005930^10^70100^"
                            "093015^0^2^2^06590^10^name^0^1^N^^^^삼성전자^70100";
  api::notice_cipher c{"0123456789abcdefghijklmnopqrstuv", "ABCDEFGHIJKLMNOP"};
  auto frame = "1|H0STCNI0|001|" + *api::encrypt_notice(plain, c);
  server(frame);
  ASSERT_EQ(log->notices.size(), 1u);
  EXPECT_EQ(log->notices[0].order_no, "0000012345");
  EXPECT_TRUE(log->notices[0].is_fill);
  reconnect();
  server(frame); // no ack on this session yet: no key
  EXPECT_EQ(log->notices.size(), 1u);
  EXPECT_EQ(status().parse_errors, 1u);
}

// Also what a hostile server may send on a live session: a record count the payload does not
// hold, control JSON nested 10,000 deep, invalid UTF-8. Each is a counted parse error; the
// session and the subscribers carry on.
TEST_F(FeedTest, MalformedFramesAreCountedNotFatal) {
  start();
  link_up();
  auto log = std::make_shared<sink_log>();
  auto sink = spawn_sink(log);
  ASSERT_TRUE(subscribe(sink, feed_channel::trades, "005930", "OPSP0000"));
  std::string wrong_count = trade_frame("005930");
  wrong_count.replace(wrong_count.find("|001|"), 5, "|002|");
  std::string deep = R"({"header":{"tr_id":"H0STCNT0","x":)";
  for (int i = 0; i < 10'000; ++i)
    deep += R"({"a":)";
  deep += "1" + std::string(10'000, '}') + "}}";
  for (const std::string bad :
       {"0|H0STCNT0|001|005930^1", "0|H0STCNT0", "garbage", "{not json", "0|H0XXXXX0|001|a^b",
        "1|H0STCNI0|001|!!!!", wrong_count.c_str(), deep.c_str(),
        "{\"header\":{\"tr_id\":\"H0STCNT0\",\"tr_key\":\"\xff\xfe\"}}"})
    server(bad);
  server(trade_frame("005930"));
  EXPECT_EQ(log->ticks.size(), 1u);
  auto st = status();
  EXPECT_EQ(st.parse_errors, 9u);
  EXPECT_TRUE(st.connected);
}

} // namespace

namespace {

TEST_F(FeedTest, ReportsRegistrationsReconnectsFramesDropsAndPingsToTheMetricsActor) {
  namespace m = kis::metric_names;
  using kis::test::find_value;
  kis::test::metrics_probe probe{sys};
  start();
  link_up();
  auto log = std::make_shared<sink_log>();
  auto sink = spawn_sink(log);
  ASSERT_TRUE(subscribe(sink, feed_channel::trades, "005930", "OPSP0000")); // frame 1
  server(R"({"header":{"tr_id":"PINGPONG","datetime":"20241011121818"}})"); // 2
  for (int i = 0; i < 3; ++i)
    server(trade_frame("005930")); // 3..5
  server("garbage");               // 6
  reconnect();
  server(ack("H0STCNT0", "005930", "OPSP0000")); // 7
  sched.advance_time(cfg.tick_interval);         // the watchdog tick publishes
  sched.run();
  auto s = probe.sample_of(self, sched, "ws_feed");
  EXPECT_EQ(s.role, "ws_feed");
  EXPECT_EQ(find_value(s, m::ws_registrations), 1.0);
  EXPECT_EQ(find_value(s, m::ws_registrations_limit), 5.0);
  EXPECT_EQ(find_value(s, m::ws_reconnects_total), 1.0);
  EXPECT_EQ(find_value(s, m::ws_frames_total), 7.0);
  EXPECT_TRUE(find_value(s, m::ws_frames_per_second).has_value());
  EXPECT_EQ(find_value(s, m::ws_drops_total, {{"reason", "slow_subscriber"}}), 0.0);
  EXPECT_EQ(find_value(s, "ws_records_total"), 3.0);
  EXPECT_EQ(find_value(s, "ws_parse_errors_total"), 1.0);
  EXPECT_EQ(find_value(s, "ws_pings_answered_total"), 1.0);
  EXPECT_EQ(find_value(s, "ws_connected"), 1.0);
  EXPECT_EQ(find_value(s, "ws_subscribers"), 1.0);
  EXPECT_EQ(s.errors, 1u); // the garbage frame
  EXPECT_GE(s.processed, 10u);
  EXPECT_EQ(log->ticks.size(), 3u);
}

TEST_F(FeedTest, ReportsDropsForASlowSubscriber) {
  namespace m = kis::metric_names;
  kis::test::metrics_probe probe{sys};
  start();
  link_up();
  auto slow = caf::actor_cast<market_sink_actor>(self); // never reads: window 2
  ASSERT_TRUE(subscribe(slow, feed_channel::trades, "005930", "OPSP0000"));
  for (int i = 0; i < 5; ++i)
    server(trade_frame("005930"));
  sched.advance_time(cfg.tick_interval);
  sched.run();
  auto s = probe.sample_of(self, sched, "ws_feed");
  EXPECT_EQ(kis::test::find_value(s, m::ws_drops_total, {{"reason", "slow_subscriber"}}), 3.0);
  // Six frames in the one second since the first sample.
  EXPECT_EQ(kis::test::find_value(s, m::ws_frames_per_second), 6.0);
}

} // namespace

// Slots that follow interest: with re-ranking on, a symbol the cap refused waits; when it
// becomes more active than a holder, the holder is unregistered (and told), and the newcomer
// registers only once the server has answered the unsubscribe (KIS counts until then).
TEST_F(FeedTest, ReRankGivesTheSlotOfAQuietSymbolToAnActiveOne) {
  cfg.rerank_interval = 10s;
  cfg.silence_timeout = 300s; // the fake server sends no PINGPONG
  start();
  link_up();
  auto log = std::make_shared<sink_log>();
  auto sink = spawn_sink(log);
  for (auto sym : {"000001", "000002", "000003", "000004"})
    ASSERT_TRUE(subscribe(sink, feed_channel::trades, sym, "OPSP0000"));
  auto refused = subscribe(sink, feed_channel::trades, "000005");
  ASSERT_FALSE(refused); // polled by its subscriber meanwhile
  EXPECT_EQ(refused.error(), errc::ws_cap_reached);
  auto texts_with = [&](const std::string& key, const char* type) {
    auto& t = session().texts;
    return std::count_if(t.begin(), t.end(), [&](const std::string& s) {
      return s.find(R"("tr_key":")" + key + "\"") != std::string::npos &&
             s.find(std::string{R"("tr_type":")"} + type + "\"") != std::string::npos;
    });
  };
  interest_report r{"analyzer-1", {}};
  for (auto sym : {"000001", "000002", "000003", "000004"})
    r.symbols.push_back({sym, false, true, 1e6, 0.1, 0});
  r.symbols.push_back({"000005", false, true, 5e9, 3.0, 0});
  self->send(feed, r);
  sched.run();
  for (int i = 0; i < 10; ++i) { // one re-rank period of watchdog ticks
    sched.advance_time(cfg.tick_interval);
    sched.run();
  }
  // The weakest holder (equal scores: the last code) goes; the newcomer waits for the answer.
  EXPECT_EQ(texts_with("000004", "2"), 1);
  EXPECT_EQ(texts_with("000005", "1"), 0);
  ASSERT_EQ(log->slots.size(), 1u);
  EXPECT_EQ(log->slots[0], std::make_pair(std::string{"000004"}, false));
  server(ack("H0STCNT0", "000004", "OPSP0001"));
  EXPECT_EQ(texts_with("000005", "1"), 1);
  server(ack("H0STCNT0", "000005", "OPSP0000"));
  ASSERT_EQ(log->slots.size(), 2u);
  EXPECT_EQ(log->slots[1], std::make_pair(std::string{"000005"}, true));
  server(trade_frame("000005"));
  EXPECT_EQ(log->ticks.size(), 1u);
  EXPECT_EQ(status().slots_used, 4u);
  // Nothing changes while the figures stay: no flapping back at the next re-ranks.
  self->send(feed, r);
  sched.run();
  for (int i = 0; i < 30; ++i) {
    sched.advance_time(cfg.tick_interval);
    sched.run();
  }
  EXPECT_EQ(log->slots.size(), 2u);
}
