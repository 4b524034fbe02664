// The order executor under CAF's test coordinator against the fake gateway: the fixture
// shared by executor_test.cpp and executor_venues_test.cpp.
#pragma once

#include "support/caf_gtest.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include <sqlite3.h>

#include "actors/trading/order_executor.hpp"
#include "actors/trading/order_journal.hpp"
#include "support/temp_path.hpp"
#include "tests/trading/fakes.hpp"

using namespace std::chrono_literals;

namespace executor_testing {

using kis::signal; // not ::signal from <csignal>

struct outcome {
  bool ok = false;
  kis::signal_ack ack;
  kis::error_view err;
};

// An intent as the executor would journal it: a limit buy of qty at 10,000 on 2026-01-01.
inline kis::journal_entry intent_of(std::string symbol, std::int64_t qty = 2,
                                    std::string intent_time = "090000") {
  kis::journal_entry e;
  e.strategy_id = "s1";
  e.symbol = std::move(symbol);
  e.qty = qty;
  e.price = 10000;
  e.trading_day = 20260101;
  e.intent_time = std::move(intent_time);
  return e;
}

// The journal row of a client id as another process would read it (status, order number).
inline std::pair<int, std::string> journal_row(const std::string& path, const std::string& cid) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT status, order_no FROM orders WHERE client_id = ?", -1, &st,
                     nullptr);
  sqlite3_bind_text(st, 1, cid.c_str(), -1, SQLITE_TRANSIENT);
  std::pair<int, std::string> out{-1, ""};
  if (sqlite3_step(st) == SQLITE_ROW)
    out = {sqlite3_column_int(st, 0), reinterpret_cast<const char*>(sqlite3_column_text(st, 1))};
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

struct ExecutorTest : ::testing::Test, test_coordinator_fixture<> {
  std::shared_ptr<kis::test::gateway_record> gw = std::make_shared<kis::test::gateway_record>();
  std::shared_ptr<kis::test::strategy_record> strat =
      std::make_shared<kis::test::strategy_record>();
  kis::rest_gateway_impl_actor gateway;
  kis::strategy_actor strategy;
  kis::order_executor_impl_actor exec;
  kis::executor_config cfg;
  std::string path;

  void SetUp() override {
    auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path = kis::test::unique_temp_path(std::string{"kis-exec-"} + info->name(), ".sqlite").string();
    for (auto ext : {"", "-wal", "-shm"})
      std::filesystem::remove(path + ext);
    cfg.journal_path = path;
    cfg.journal_detached = false; // the journal actor runs on the test coordinator too
    cfg.journal_linger = std::chrono::milliseconds{0}; // tests read each state at once (the
                                                       // linger: journal_writer_test.cpp)
    cfg.check_buyable = false;
    cfg.max_in_flight = 1;
    cfg.clock = std::make_shared<kis::manual_wall_clock>(); // 2026-01-01 09:00 KST
    gateway = kis::test::spawn_fake_gateway(sys, gw);
    strategy = kis::test::spawn_fake_strategy(sys, strat);
  }

  void start() {
    auto e = kis::spawn_order_executor(sys, cfg, gateway, kis::ws_feed_actor{});
    ASSERT_TRUE(e) << sys.render(e.error());
    exec = *e;
    self->send(exec, kis::follow_atom_v, std::string{"s1"}, strategy);
    sched.run();
  }

  void TearDown() override {
    for (auto a : {caf::actor_cast<caf::actor>(exec), caf::actor_cast<caf::actor>(gateway),
                   caf::actor_cast<caf::actor>(strategy)})
      if (a)
        caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched.run();
  }

  static signal sig(std::string sym, kis::side dir, std::int64_t qty, std::int64_t px,
                    std::int32_t prio = 0) {
    signal s;
    s.strategy_id = "s1";
    s.symbol = std::move(sym);
    s.dir = dir;
    s.qty = qty;
    s.price = px;
    s.priority = prio;
    return s;
  }

  auto ask(const signal& s) { return self->request(exec, caf::infinite, s); }

  template <class Handle>
  static outcome take(Handle& h) {
    outcome o;
    h.receive(
        [&](kis::signal_ack& a) {
          o = {true, a, {}};
        },
        [&](caf::error& e) { o.err = kis::view(e); });
    return o;
  }

  // Sends all signals before the executor runs, then collects every answer.
  std::vector<outcome> submit(const std::vector<signal>& sigs) {
    std::vector<decltype(ask(sigs[0]))> handles;
    for (const auto& s : sigs)
      handles.push_back(ask(s));
    sched.run();
    std::vector<outcome> out;
    for (auto& h : handles)
      out.push_back(take(h));
    return out;
  }

  outcome submit_one(signal s) { return submit({std::move(s)})[0]; }

  kis::executor_summary status() {
    kis::executor_summary out;
    auto h = self->request(exec, caf::infinite, kis::status_atom_v);
    sched.run();
    h.receive([&](kis::executor_summary& s) { out = s; }, [](caf::error&) {});
    return out;
  }

  // The newest update the strategy heard about an order (accepted signals report this way).
  kis::order_update last_update(const std::string& cid) const {
    kis::order_update out;
    for (const auto& u : strat->updates)
      if (u.client_id == cid)
        out = u;
    return out;
  }

  static std::uint64_t count(const std::vector<kis::count_by>& xs, const std::string& name) {
    for (const auto& x : xs)
      if (x.name == name)
        return x.count;
    return 0;
  }

  kis::fill_record ccld_row(const kis::order_request& o, std::string odno, std::int64_t filled) {
    kis::fill_record r;
    r.org_no = "06010";
    r.order_no = std::move(odno);
    r.symbol = o.symbol;
    r.dir = o.dir;
    r.order_qty = o.qty;
    r.order_price = o.price;
    r.order_time = "090000";
    r.filled_qty = filled;
    r.avg_price = o.price;
    r.filled_amount = filled * o.price;
    r.remaining_qty = o.qty - filled;
    return r;
  }

  // An execution notice of a fill: qty at price of the given order.
  static kis::execution_notice fill_notice(std::string order_no, std::int64_t qty,
                                           std::int64_t price, std::string symbol = "A") {
    kis::execution_notice n;
    n.order_no = std::move(order_no);
    n.symbol = std::move(symbol);
    n.is_fill = true;
    n.qty = qty;
    n.price = price;
    return n;
  }

  // A buy of qty whose answer is lost; inquire-daily-ccld then shows it as order 0000000777
  // with `filled` shares done, and one reconciliation pass runs.
  outcome lost_answer_found_in_daily_fills(std::int64_t qty, std::int64_t filled) {
    gw->mode = kis::test::order_mode::unknown;
    gw->on_order = [this, filled](const kis::order_request& o) {
      gw->ccld = {ccld_row(o, "0000000777", filled)};
    };
    auto r = submit_one(sig("A", kis::side::buy, qty, 10000));
    EXPECT_TRUE(r.ok);
    sched.advance_time(cfg.reconcile_interval);
    sched.run();
    return r;
  }
};

} // namespace executor_testing
