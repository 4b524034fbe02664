// The feed's test fixture: ws_feed under CAF's deterministic scheduler, with a fake transport
// (the test plays the server by injecting link and frame messages) and a fake token keeper.
#pragma once

#include "support/caf_gtest.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "actors/feed/ws_feed.hpp"
#include "messages/errors.hpp"

namespace kis::feed_test {

using namespace std::chrono_literals;
using namespace kis;

// What the feed wrote on each session.
struct fake_session {
  std::uint64_t id = 0;
  std::vector<std::string> texts;
  std::vector<std::string> pongs;
  bool alive = true;
};

struct fake_wire {
  std::vector<std::shared_ptr<fake_session>> sessions;
  std::uint64_t approvals = 0;
  std::uint64_t fresh_approvals = 0;
};

class fake_transport final : public ws_transport {
public:
  explicit fake_transport(std::shared_ptr<fake_session> s)
      : s_(std::move(s)) {}
  ~fake_transport() override { s_->alive = false; }
  void send_text(std::string text) override { s_->texts.push_back(std::move(text)); }
  void send_pong(std::string payload) override { s_->pongs.push_back(std::move(payload)); }

private:
  std::shared_ptr<fake_session> s_;
};

inline token_keeper_actor::behavior_type fake_keeper(std::shared_ptr<fake_wire> wire) {
  return {
      [](token_atom) { return access_token{}; },
      [wire](approval_atom) {
        ++wire->approvals;
        return approval_key{"APPROVAL-SECRET", 0, 0};
      },
      [](invalid_atom, const std::string&) { return access_token{}; },
      [](refresh_atom) { return access_token{}; },
      [](info_atom) { return token_info{}; },
      [wire](approval_atom, refresh_atom) {
        ++wire->approvals;
        ++wire->fresh_approvals;
        return approval_key{"APPROVAL-SECRET-2", 0, 0};
      },
      [](refresh_atom, std::uint64_t) {},
      [](done_atom, const http_exchange&) {},
      [](publish_atom) {},
  };
}

struct sink_log {
  std::vector<trade_tick> ticks;
  std::vector<order_book> books;
  std::vector<execution_notice> notices;
  std::vector<std::pair<std::string, bool>> slots; // slot gained (true) or lost
};

inline market_sink_actor::behavior_type market_sink(std::shared_ptr<sink_log> log) {
  return {[log](const trade_tick& t) { log->ticks.push_back(t); },
          [log](const order_book& b) { log->books.push_back(b); },
          [log](slot_atom, const std::string& sym, bool on_ws) {
            log->slots.emplace_back(sym, on_ws);
          }};
}

inline notice_sink_actor::behavior_type notice_sink(std::shared_ptr<sink_log> log) {
  return {[log](const execution_notice& n) { log->notices.push_back(n); }};
}

inline const std::string trade_tail =
    "^115214^250500^5^-19500^-7.22^257548.62^266000^266500^248500^250500^250000^2^11701513^"
    "3013709268750^113664^103131^-10533^60.51^7129195^4313943^1^0.37^73.08^090025^5^-15500^"
    "090025^5^-16000^114825^2^2000^20260724^20^N^8930^67892^101158^466092^0.20^8331745^140.44^"
    "0^^266000";

inline std::string trade_frame(const std::string& symbol) {
  return "0|H0STCNT0|001|" + symbol + trade_tail;
}

inline std::string book_frame(const std::string& symbol, int ask1) {
  std::string f = "0|H0STASP0|001|" + symbol + "^145856^0";
  for (int i = 0; i < 56; ++i)
    f += "^" + std::to_string(i < 10 ? ask1 + i * 500 : 100 + i);
  return f;
}

inline std::string ack(const std::string& tr, const std::string& key, const std::string& code,
                       const std::string& k = "0123456789abcdefghijklmnopqrstuv",
                       const std::string& iv = "ABCDEFGHIJKLMNOP") {
  return R"({"header":{"tr_id":")" + tr + R"(","tr_key":")" + key +
         R"(","encrypt":"N"},"body":{"rt_cd":"0","msg_cd":")" + code +
         R"(","msg1":"x","output":{"iv":")" + iv + R"(","key":")" + k + R"("}}})";
}

inline std::size_t count_with(const std::vector<std::string>& texts, const std::string& needle) {
  return static_cast<std::size_t>(std::count_if(texts.begin(), texts.end(), [&](const auto& t) {
    return t.find(needle) != std::string::npos;
  }));
}

struct FeedTest : ::testing::Test, test_coordinator_fixture<> {
  std::shared_ptr<fake_wire> wire = std::make_shared<fake_wire>();
  token_keeper_actor keeper;
  ws_feed_impl_actor feed;
  ws_feed_config cfg;

  FeedTest() {
    cfg.slots_cap = 5;
    cfg.notice_slots = 1;
    cfg.window = 2;
    cfg.silence_timeout = 10s;
    cfg.backoff_min = 1s;
    cfg.backoff_max = 4s;
    cfg.clock = std::make_shared<manual_wall_clock>();
    auto w = wire;
    cfg.transport = [w](const ws_feed_impl_actor&, std::uint64_t id) {
      auto s = std::make_shared<fake_session>();
      s->id = id;
      w->sessions.push_back(s);
      return std::make_unique<fake_transport>(s);
    };
  }

  void start() {
    keeper = sys.spawn(fake_keeper, wire);
    feed = spawn_ws_feed(sys, cfg, keeper);
    sched.run();
  }

  void TearDown() override {
    caf::anon_send_exit(feed, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(keeper, caf::exit_reason::user_shutdown);
    sched.run();
  }

  fake_session& session() { return *wire->sessions.back(); }

  void link_up() {
    caf::anon_send(feed, link_up_atom_v, session().id);
    sched.run();
  }

  // The server resets the session; the feed opens a new one, tick by tick, and its link is up.
  void reconnect() {
    const auto before = wire->sessions.size();
    caf::anon_send(feed, link_down_atom_v, session().id, std::string{"reset"});
    sched.run();
    while (wire->sessions.size() == before) {
      sched.advance_time(cfg.tick_interval);
      sched.run();
    }
    link_up();
  }

  void server(const std::string& text) { server(session().id, text); }
  void server(std::uint64_t id, const std::string& text) {
    caf::anon_send(feed, frame_atom_v, id, text);
    sched.run();
  }

  feed_status status() {
    feed_status out;
    auto h = self->request(feed, caf::infinite, status_atom_v);
    sched.run();
    h.receive([&](feed_status& s) { out = s; }, [](caf::error&) { FAIL(); });
    return out;
  }

  template <class Sink>
  caf::expected<subscription> subscribe(const Sink& sink, feed_channel ch, const std::string& key,
                                        const std::string& ack_code = {}) {
    caf::expected<subscription> out{caf::error{}};
    auto h = self->request(feed, caf::infinite, subscribe_request{ch, key, 0}, sink);
    sched.run();
    if (!ack_code.empty())
      server(ack(ch == feed_channel::trades ? "H0STCNT0"
                 : ch == feed_channel::book ? "H0STASP0"
                                            : "H0STCNI0",
                 key, ack_code));
    // The answer must be there once the scheduler ran: a missing one fails, never blocks.
    if (self->mailbox().empty()) {
      ADD_FAILURE() << "the feed held the subscription of " << key << " without an answer";
      return out;
    }
    h.receive([&](subscription& s) { out = s; }, [&](caf::error& e) { out = e; });
    return out;
  }

  market_sink_actor spawn_sink(std::shared_ptr<sink_log> log) {
    return sys.spawn(market_sink, std::move(log));
  }

  // Started, linked, one sink streaming 005930's trades and 000660's book (both acked).
  std::shared_ptr<sink_log> start_streaming_two() {
    start();
    link_up();
    auto log = std::make_shared<sink_log>();
    auto sink = spawn_sink(log);
    EXPECT_TRUE(subscribe(sink, feed_channel::trades, "005930", "OPSP0000"));
    EXPECT_TRUE(subscribe(sink, feed_channel::book, "000660", "OPSP0000"));
    return log;
  }
};

} // namespace kis::feed_test
