// kis-sim's WebSocket server against a small Beast client on loopback: the OPSP replies,
// the 41 cap, data frames that parse back, encrypted notices, PINGPONG and drops.
// The only Beast TU of the tests.
#include <map>
#include <set>

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>

#include "fake_source.hpp"
#include "sim/frames.hpp"
#include "sim/ws_server.hpp"
#include "support/eventually.hpp"
#include "ws_test_client.hpp"

namespace kis::sim {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using test::fake_source;
using test::split;

using test::answer;
using test::hts;
using test::key_a;
using test::key_a2;
using test::key_b;
using test::msg_cd;
using test::reg;
using test::symbol;
using test::ws_client;

class SimWs : public ::testing::Test {
protected:
  void start(ws_options o = {}) {
    o.app_of = [](std::string_view k) -> std::string {
      return k == key_a || k == key_a2 ? "app-A" : k == key_b ? "app-B" : "";
    };
    o.hts_id = hts;
    o.push_interval = 5ms;
    o.seed = 42;
    server_.emplace(ioc_, source_, std::move(o));
    io_ = std::thread{[this] { ioc_.run(); }};
  }
  void TearDown() override {
    server_.reset();
    guard_.reset();
    if (io_.joinable())
      io_.join();
  }
  bool eventually(const std::function<bool()>& p, std::chrono::milliseconds timeout = 3s) {
    return kis::test::eventually(p, timeout);
  }
  std::uint16_t port() const { return server_->port(); }
  ws_stats stats() const { return server_->stats(); }

  fake_source source_{45};
  net::io_context ioc_;
  net::executor_work_guard<net::io_context::executor_type> guard_{ioc_.get_executor()};
  std::optional<ws_server> server_;
  std::thread io_;
};

TEST_F(SimWs, AcksCarryIvAndKeyAndEncryptFlag) {
  start();
  ws_client c{port()};
  c.send(reg(key_a, "H0STCNT0", "000001"));
  auto ack = c.control();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->at("header").at("tr_id").as_string(), "H0STCNT0");
  EXPECT_EQ(ack->at("header").at("tr_key").as_string(), "000001");
  EXPECT_EQ(ack->at("header").at("encrypt").as_string(), "N");
  EXPECT_EQ(ack->at("body").at("rt_cd").as_string(), "0");
  EXPECT_EQ(msg_cd(ack), "OPSP0000");
  EXPECT_EQ(ack->at("body").at("msg1").as_string(), "SUBSCRIBE SUCCESS");
  EXPECT_EQ(ack->at("body").at("output").at("iv").as_string().size(), 16u);
  EXPECT_EQ(ack->at("body").at("output").at("key").as_string().size(), 32u);

  c.send(reg(key_a, "H0STCNI0", hts));
  auto notice = c.control();
  ASSERT_TRUE(notice);
  EXPECT_EQ(notice->at("header").at("encrypt").as_string(), "Y");
  EXPECT_NE(notice->at("body").at("output").at("key"), ack->at("body").at("output").at("key"));
  EXPECT_TRUE(eventually([&] { return stats().registrations == 2; }));
}

TEST_F(SimWs, FortySecondRegistrationIsRefused) {
  start();
  ws_client c{port()};
  c.send(reg(key_a, "H0STCNI0", hts));
  EXPECT_EQ(msg_cd(c.control()), "OPSP0000");
  for (int i = 1; i <= 20; ++i) {
    c.send(reg(key_a, "H0STCNT0", symbol(i)));
    EXPECT_EQ(msg_cd(c.control()), "OPSP0000");
    c.send(reg(key_a, "H0STASP0", symbol(i)));
    EXPECT_EQ(msg_cd(c.control()), "OPSP0000");
  }
  c.send(reg(key_a, "H0STCNT0", symbol(21)));
  auto over = c.control();
  ASSERT_TRUE(over);
  EXPECT_EQ(msg_cd(over), "OPSP0008");
  EXPECT_EQ(over->at("body").at("msg1").as_string(), "MAX SUBSCRIBE OVER");
  EXPECT_EQ(over->at("header").at("tr_key").as_string(), symbol(21));
  EXPECT_EQ(stats().registrations, 41u);
  EXPECT_EQ(stats().refusals["OPSP0008"], 1u);

  // Giving one back frees a slot.
  c.send(reg(key_a, "H0STASP0", symbol(20), "2"));
  EXPECT_EQ(msg_cd(c.control()), "OPSP0001");
  c.send(reg(key_a, "H0STCNT0", symbol(21)));
  EXPECT_EQ(msg_cd(c.control()), "OPSP0000");
}

TEST_F(SimWs, SameRegistrationTwiceIsAlreadyInSubscribe) {
  start();
  ws_client c{port()};
  c.send(reg(key_a, "H0STCNT0", "000001"));
  EXPECT_EQ(msg_cd(c.control()), "OPSP0000");
  c.send(reg(key_a, "H0STCNT0", "000001"));
  EXPECT_EQ(msg_cd(c.control()), "OPSP0002");
  EXPECT_EQ(stats().registrations, 1u);
}

TEST_F(SimWs, OneSessionPerAppKeyTheSecondIsRefusedAndClosed) {
  start();
  auto first = std::make_unique<ws_client>(port());
  first->send(reg(key_a, "H0STCNT0", "000001"));
  EXPECT_EQ(msg_cd(first->control()), "OPSP0000");

  // Another approval key of the same app key does not open a second session.
  ws_client second{port()};
  second.send(reg(key_a2, "H0STCNT0", "000002"));
  auto in_use = second.control();
  EXPECT_EQ(msg_cd(in_use), "OPSP8996");
  EXPECT_EQ(in_use->at("body").at("msg1").as_string(), "ALREADY IN USE appkey");
  EXPECT_TRUE(second.wait_closed());
  EXPECT_EQ(stats().refusals["OPSP8996"], 1u);
  EXPECT_TRUE(eventually([&] { return stats().sessions == 1; }));

  first.reset(); // the app key is free once its session is gone
  ASSERT_TRUE(eventually([&] { return stats().sessions == 0; }));
  ws_client third{port()};
  third.send(reg(key_a2, "H0STCNT0", "000002"));
  EXPECT_EQ(msg_cd(third.control()), "OPSP0000");
}

TEST_F(SimWs, SessionTakesEveryApprovalKeyOfItsAppKey) {
  start();
  ws_client c{port()};
  c.send(reg(key_a, "H0STCNT0", "000001"));
  EXPECT_EQ(msg_cd(c.control()), "OPSP0000");
  c.send(reg(key_a2, "H0STCNT0", "000002")); // python-kis asks for a new key every time
  EXPECT_EQ(msg_cd(c.control()), "OPSP0000");
  c.send(reg(key_b, "H0STCNT0", "000003")); // another app key's approval key
  EXPECT_EQ(msg_cd(c.control()), "OPSP0010");
  EXPECT_EQ(stats().registrations, 2u);
}

TEST_F(SimWs, UnknownKeySymbolOrTrIsRefused) {
  start();
  ws_client c{port()};
  c.send(reg("not-issued", "H0STCNT0", "000001"));
  auto unknown = c.control();
  EXPECT_EQ(msg_cd(unknown), "OPSP0011");
  // The refusal never echoes the key it refused.
  EXPECT_EQ(boost::json::serialize(*unknown).find("not-issued"), std::string::npos);
  c.send(reg(key_a, "H0STCNT0", "999999"));
  EXPECT_EQ(msg_cd(c.control()), "OPSP8992");
  c.send(reg(key_a, "H0STCNI9", hts)); // the paper notice TR on a real server
  EXPECT_EQ(msg_cd(c.control()), "OPSP8991");
  EXPECT_EQ(stats().registrations, 0u);
}

TEST_F(SimWs, WrongHtsIdGetsNullHeader) {
  start();
  ws_client c{port()};
  c.send(reg(key_a, "H0STCNI0", "someone-else"));
  auto r = c.control();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->at("header").at("tr_id").as_string(), "(null)");
  EXPECT_EQ(r->at("body").at("rt_cd").as_string(), "9");
  EXPECT_EQ(msg_cd(r), "OPSP0017");
}

TEST_F(SimWs, UnregisterThenNotFound) {
  start();
  ws_client c{port()};
  c.send(reg(key_a, "H0STCNT0", "000001"));
  EXPECT_EQ(msg_cd(c.control()), "OPSP0000");
  c.send(reg(key_a, "H0STCNT0", "000001", "2"));
  auto gone = c.control();
  EXPECT_EQ(msg_cd(gone), "OPSP0001");
  EXPECT_EQ(gone->at("body").at("msg1").as_string(), "UNSUBSCRIBE SUCCESS");
  c.send(reg(key_a, "H0STCNT0", "000001", "2"));
  EXPECT_EQ(msg_cd(c.control()), "OPSP0003");
  EXPECT_EQ(stats().registrations, 0u);
}

TEST_F(SimWs, MalformedJsonGetsParseErrorAndSessionLives) {
  start();
  ws_client c{port()};
  c.send("{\"header\": oops");
  auto r = c.control();
  EXPECT_EQ(msg_cd(r), "OPSP9999");
  EXPECT_EQ(r->at("header").at("tr_id").as_string(), "(null)");
  c.send(R"({"header":{"approval_key":"x","tr_type":"1"},"body":{}})");
  EXPECT_EQ(msg_cd(c.control()), "OPSP9997");
  c.send(reg(key_a, "H0STCNT0", "000001"));
  EXPECT_EQ(msg_cd(c.control()), "OPSP0000");
}

TEST_F(SimWs, TradeFramesHave46FieldsAndParseBack) {
  start();
  ws_client c{port()};
  c.send(reg(key_a, "H0STCNT0", "000007"));
  ASSERT_EQ(msg_cd(c.control()), "OPSP0000");
  source_.add_trades("000007", 1);
  auto frame = c.data("H0STCNT0");
  ASSERT_TRUE(frame);
  EXPECT_EQ((*frame)[0], "0");
  EXPECT_EQ((*frame)[2], "001");
  const auto f = split((*frame)[3], '^');
  ASSERT_EQ(f.size(), frames::trade_fields);
  EXPECT_EQ(f[0], "000007");
  EXPECT_EQ(f[2], "70100");
  EXPECT_EQ(f[3], "2");
  EXPECT_EQ(f[4], "600");
  EXPECT_EQ(f[12], "1");
  EXPECT_EQ(f[13], "1001");
  EXPECT_EQ(f[21], "1");
  EXPECT_EQ(f[36], "10"); // ASKP_RSQN1 from the book
  EXPECT_EQ(f[1].size(), 6u);
  EXPECT_EQ(f[33].size(), 8u);
}

TEST_F(SimWs, TradesPrintedTogetherShareAFrame) {
  start();
  ws_client c{port()};
  c.send(reg(key_a, "H0STCNT0", "000003"));
  ASSERT_EQ(msg_cd(c.control()), "OPSP0000");
  source_.add_trades("000003", 4, true); // one sweep: four prints at the same instant
  source_.add_trades("000003", 2);       // then two at instants of their own
  auto sweep = c.data("H0STCNT0");
  ASSERT_TRUE(sweep);
  EXPECT_EQ((*sweep)[2], "004");
  const auto f = split((*sweep)[3], '^');
  ASSERT_EQ(f.size(), 4 * frames::trade_fields);
  EXPECT_EQ(f[3 * frames::trade_fields + 2], "70400"); // the fourth print, last
  for (int i = 0; i < 2; ++i) {
    auto single = c.data("H0STCNT0");
    ASSERT_TRUE(single);
    EXPECT_EQ((*single)[2], "001");
  }
  EXPECT_TRUE(eventually([&] { return stats().records_sent >= 6 && stats().frames_sent >= 3; }));
}

TEST_F(SimWs, SingleRecordFramesWhenMultiRecordIsOff) {
  ws_options o;
  o.multi_record = false;
  start(o);
  ws_client c{port()};
  c.send(reg(key_a, "H0STCNT0", "000003"));
  ASSERT_EQ(msg_cd(c.control()), "OPSP0000");
  source_.add_trades("000003", 3, true);
  for (int i = 0; i < 3; ++i) {
    auto frame = c.data("H0STCNT0");
    ASSERT_TRUE(frame);
    EXPECT_EQ((*frame)[2], "001");
  }
}

TEST_F(SimWs, BookFramesHave59FieldsWhenNarrow) {
  ws_options o;
  o.wide_book = false;
  start(o);
  ws_client c{port()};
  c.send(reg(key_a, "H0STASP0", "000002"));
  ASSERT_EQ(msg_cd(c.control()), "OPSP0000");
  auto frame = c.data("H0STASP0"); // the snapshot a new subscriber gets at once
  ASSERT_TRUE(frame);
  const auto f = split((*frame)[3], '^');
  ASSERT_EQ(f.size(), frames::book_fields);
  EXPECT_EQ(f[3], "70100");
  EXPECT_EQ(f[13], "70000");

  source_.change_book("000002", 99);
  auto changed = c.data("H0STASP0");
  ASSERT_TRUE(changed);
  const auto g = split((*changed)[3], '^');
  EXPECT_EQ(g[23], "99");
  EXPECT_EQ(g[54], "89"); // TOTAL_ASKP_RSQN_ICDC: 119 - 30
}

TEST_F(SimWs, BooksHave62FieldsByDefault) {
  start();
  ws_client c{port()};
  c.send(reg(key_a, "H0STASP0", "000002"));
  ASSERT_EQ(msg_cd(c.control()), "OPSP0000");
  auto frame = c.data("H0STASP0");
  ASSERT_TRUE(frame);
  const auto f = split((*frame)[3], '^');
  ASSERT_EQ(f.size(), frames::wide_book_fields);
  EXPECT_EQ(f[59], "70050");
}

TEST_F(SimWs, NextradeAndCombinedTrsOnTheRealServer) {
  start();
  ws_client c{port()};
  c.send(reg(key_a, "H0NXASP0", "000001")); // Nextrade trades the odd symbols
  ASSERT_EQ(msg_cd(c.control()), "OPSP0000");
  auto book = c.data("H0NXASP0");
  ASSERT_TRUE(book);
  EXPECT_EQ(split((*book)[3], '^').size(), frames::nxt_book_fields);
  c.send(reg(key_a, "H0UNCNT0", "000003"));
  ASSERT_EQ(msg_cd(c.control()), "OPSP0000");
  source_.add_trades("000003", 2, true, market_code::combined);
  auto trades = c.data("H0UNCNT0");
  ASSERT_TRUE(trades);
  EXPECT_EQ((*trades)[2], "002");
  EXPECT_EQ(split((*trades)[3], '^').size(), 2 * frames::trade_fields);
  // A symbol Nextrade does not trade: registered, but no book comes.
  c.send(reg(key_a, "H0NXASP0", "000002"));
  ASSERT_EQ(msg_cd(c.control()), "OPSP0000");
  c.send(reg(key_a, "H0STASP0", "000002"));
  ASSERT_EQ(msg_cd(c.control()), "OPSP0000");
  // The KRX book comes at once; no NXT book for 000002 came before it (nor after, below).
  bool krx_book = false;
  while (auto m = c.next()) {
    EXPECT_EQ(m->find("0|H0NXASP0|001|000002"), std::string::npos);
    if (m->starts_with("0|H0STASP0|001|000002")) {
      krx_book = true;
      break;
    }
  }
  EXPECT_TRUE(krx_book);
  source_.change_book("000002", 77); // a change: KRX sends it again, NXT has nothing to send
  auto again = c.data("H0STASP0");
  ASSERT_TRUE(again);
  EXPECT_EQ(split((*again)[3], '^')[23], "77");
  EXPECT_EQ(stats().registrations, 4u);
}

TEST_F(SimWs, PaperHasNoNextradeTrs) {
  ws_options o;
  o.env = api::environment::paper;
  start(o);
  ws_client c{port()};
  for (auto tr : {"H0NXCNT0", "H0NXASP0", "H0UNCNT0", "H0UNASP0"}) {
    c.send(reg(key_a, tr, "000001"));
    EXPECT_EQ(msg_cd(c.control()), "OPSP8991") << tr;
  }
  c.send(reg(key_a, "H0STCNT0", "000001"));
  EXPECT_EQ(msg_cd(c.control()), "OPSP0000");
}

execution_notice fill() {
  execution_notice n;
  n.account = "5012345601";
  n.order_no = "0000000042";
  n.dir = side::sell;
  n.order_kind_code = "00";
  n.symbol = "000001";
  n.qty = 5;
  n.price = 70100;
  n.time = "093000";
  n.is_fill = true;
  n.accept_state = 2;
  n.order_qty = 5;
  n.name = "시뮬레이션";
  n.order_price = 70100;
  return n;
}

void expect_notice_decrypts(ws_client& c, std::string_view tr_id, const boost::json::object& ack) {
  const auto& out = ack.at("body").at("output");
  auto frame = c.data(tr_id);
  ASSERT_TRUE(frame);
  EXPECT_EQ((*frame)[0], "1");
  EXPECT_EQ((*frame)[2], "001");
  auto plain =
      test::decrypt_notice((*frame)[3], out.at("key").as_string(), out.at("iv").as_string());
  ASSERT_TRUE(plain);
  const auto f = split(*plain, '^');
  ASSERT_EQ(f.size(), frames::notice_fields);
  EXPECT_EQ(f[0], hts);
  EXPECT_EQ(f[2], "0000000042");
  EXPECT_EQ(f[4], "01");
  EXPECT_EQ(f[9], "5");
  EXPECT_EQ(f[13], "2");
  EXPECT_EQ(f[3], "0000000000"); // OODER_NO of a new order: zeros, not empty
  EXPECT_EQ(f[17], "모의투자");  // ACNT_NAME
  EXPECT_EQ(f[24], "시뮬레이션");
}

TEST_F(SimWs, NoticeDecryptsWithTheAckKey) {
  start();
  ws_client c{port()};
  c.send(reg(key_a, "H0STCNT0", "000001")); // another TR's key must not be the one used
  ASSERT_EQ(msg_cd(c.control()), "OPSP0000");
  c.send(reg(key_a, "H0STCNI0", hts));
  auto ack = c.control();
  ASSERT_EQ(msg_cd(ack), "OPSP0000");
  server_->publish_notice(fill());
  expect_notice_decrypts(c, "H0STCNI0", *ack);
  EXPECT_TRUE(eventually([&] { return stats().notices_sent == 1; }));
}

TEST_F(SimWs, PaperNoticesUseH0STCNI9) {
  ws_options o;
  o.env = api::environment::paper;
  start(o);
  ws_client c{port()};
  c.send(reg(key_a, "H0STCNI0", hts));
  EXPECT_EQ(msg_cd(c.control()), "OPSP8991");
  c.send(reg(key_a, "H0STCNI9", hts));
  auto ack = c.control();
  ASSERT_EQ(msg_cd(ack), "OPSP0000");
  server_->publish_notice(fill());
  expect_notice_decrypts(c, "H0STCNI9", *ack);
}

TEST_F(SimWs, PingsAnsweredByEchoOrPongFrame) {
  ws_options o;
  o.ping_interval = 40ms;
  o.unanswered_pings_to_drop = 2;
  start(o);
  ws_client echo{port(), answer::echo};
  ws_client pong{port(), answer::pong_frame};
  ASSERT_TRUE(eventually([&] { return echo.pings() >= 4 && pong.pings() >= 4; }));
  auto ping = echo.next();
  ASSERT_TRUE(ping);
  auto header = boost::json::parse(*ping).at("header");
  EXPECT_EQ(header.at("tr_id").as_string(), "PINGPONG");
  EXPECT_EQ(header.at("datetime").as_string().size(), 14u);
  const auto s = stats();
  EXPECT_EQ(s.drops, 0u);
  EXPECT_EQ(s.unanswered_pings, 0u);
  EXPECT_GE(s.pongs_received, 6u);
  EXPECT_EQ(s.sessions, 2u);
}

TEST_F(SimWs, SilentClientIsDropped) {
  ws_options o;
  o.ping_interval = 20ms;
  o.unanswered_pings_to_drop = 2;
  start(o);
  ws_client silent{port(), answer::none};
  EXPECT_TRUE(silent.wait_closed());
  EXPECT_GE(silent.pings(), 2);
  EXPECT_TRUE(eventually([&] { return stats().sessions == 0; }));
  EXPECT_EQ(stats().drops, 1u);
  EXPECT_EQ(stats().unanswered_pings, 2u);
}

TEST_F(SimWs, DropSessionsCutsEveryoneAndFreesKeys) {
  start();
  ws_client a{port()};
  ws_client b{port()};
  a.send(reg(key_a, "H0STCNT0", "000001"));
  b.send(reg(key_b, "H0STCNT0", "000001"));
  ASSERT_EQ(msg_cd(a.control()), "OPSP0000");
  ASSERT_EQ(msg_cd(b.control()), "OPSP0000");
  server_->drop_sessions();
  EXPECT_TRUE(a.wait_closed());
  EXPECT_TRUE(b.wait_closed());
  const auto s = stats();
  EXPECT_EQ(s.drops, 2u);
  EXPECT_EQ(s.sessions, 0u);
  EXPECT_EQ(s.registrations, 0u);

  ws_client again{port()};
  again.send(reg(key_a, "H0STCNT0", "000001"));
  EXPECT_EQ(msg_cd(again.control()), "OPSP0000");
}

TEST_F(SimWs, DropEveryCutsSessionsPeriodically) {
  ws_options o;
  o.drop_every = 50ms;
  start(o);
  ws_client first{port()};
  EXPECT_TRUE(first.wait_closed());
  ws_client second{port()};
  EXPECT_TRUE(second.wait_closed());
  EXPECT_GE(stats().drops, 2u);
  EXPECT_EQ(stats().sessions_total, 2u);
}

TEST_F(SimWs, DestroyingTheServerClosesItsSessions) {
  start();
  ws_client c{port()};
  c.send(reg(key_a, "H0STCNT0", "000001"));
  ASSERT_EQ(msg_cd(c.control()), "OPSP0000");
  server_.reset(); // returns once the io thread has closed the sockets
  EXPECT_TRUE(c.wait_closed(500ms));
}

} // namespace
} // namespace kis::sim
