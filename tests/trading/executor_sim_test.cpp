// The order executor with the real rate governor, token keeper and REST gateway against
// kis-sim on 127.0.0.1 (the simulator's real limits): orders fill and the executor's positions
// and P&L match the simulator's account; a hung order response is reconciled through
// inquire-daily-ccld (adopted when the exchange executed it, "not placed" when it did not);
// a restart on the same journal after an abrupt stop reconciles the open entry first; a
// drain cancels open orders in the simulator. In every case the simulator's own record of
// order requests proves that nothing was sent twice.
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

namespace {

using kis::signal; // not ::signal from <csignal>

constexpr const char* buy_tr = "TTTC0012U"; // order-cash buy, real environment
constexpr const char* cancel_tr = "TTTC0013U";

struct system_config : caf::actor_system_config {
  system_config() {
    kis::register_messages(*this);
    set("scheduler.max-threads", 2);
  }
};

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 40s) {
  return kis::test::eventually(done, limit);
}

std::uint64_t count_of(const std::vector<kis::count_by>& xs, const std::string& name) {
  for (const auto& x : xs)
    if (x.name == name)
      return x.count;
  return 0;
}

std::int64_t position_of(const kis::executor_summary& s, const std::string& symbol) {
  for (const auto& p : s.positions)
    if (p.symbol == symbol)
      return p.qty;
  return 0;
}

std::vector<kis::journal_entry> journal_entries(const std::string& path) {
  kis::order_journal j;
  if (j.open(path))
    return {};
  return j.all_entries();
}

// The journal actor writes an order's later states after the executor reports them (only the
// intent is durable before the order leaves): wait until the file shows what the test expects.
std::vector<kis::journal_entry>
settled_journal(const std::string& path,
                const std::function<bool(const std::vector<kis::journal_entry>&)>& done) {
  std::vector<kis::journal_entry> out;
  eventually([&] {
    out = journal_entries(path);
    return done(out);
  });
  return out;
}

bool all_filled(const std::vector<kis::journal_entry>& es) {
  return std::all_of(es.begin(), es.end(), [](const auto& e) {
    return e.status == kis::order_status::filled && e.filled_qty == e.qty;
  });
}

// Every order number the exchange handed out appears once, and no new-order request repeats.
void expect_no_duplicate(const std::vector<kis::sim::order_log_entry>& log) {
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
         bool notices, const std::function<void(kis::executor_config&)>& tweak = {}) {
    const auto cred = kis::sim::default_credentials();
    kis::api::transport_options topts;
    topts.connect_timeout = 3s;
    topts.total_timeout = 3s; // a hung order response becomes an unknown outcome after this
    auto transport = kis::make_curl_transport(topts);
    kis::token_keeper_config kc;
    kc.app_key = cred.app_key;
    kc.cache_dir = cache;
    keeper_ = kis::spawn_token_keeper(
        *sys_, kc,
        kis::make_oauth_issuer(transport, kis::api::environment::real, sim.rest_url(), cred));
    governor_ = kis::spawn_rate_governor(*sys_, kis::governor_config{});
    kis::gateway_config gwc;
    gwc.base_url = sim.rest_url();
    gwc.cred = cred;
    gwc.transport = transport;
    gwc.quote_ttl = 0ms;
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

  kis::executor_summary status() {
    kis::executor_summary out;
    (*self_)
        ->request(exec_, 30s, kis::status_atom_v)
        .receive([&](kis::executor_summary& s) { out = s; },
                 [&](caf::error& e) { ADD_FAILURE() << sys_->render(e); });
    return out;
  }

  kis::executor_summary drain() {
    kis::executor_summary out;
    (*self_)
        ->request(exec_, 60s, kis::drain_atom_v)
        .receive([&](kis::executor_summary& s) { out = s; },
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

class ExecutorAgainstSim : public ::testing::Test {
protected:
  ExecutorAgainstSim()
      : sim_(make_options()) {}

  static kis::sim::options make_options() {
    kis::sim::options so;
    so.seed = 7;
    so.market_step = 100ms;
    so.ws.push_interval = 100ms;
    return so;
  }

  void SetUp() override {
    auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           (std::string{"kis-pipesim-"} + info->name() + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "cache");
    journal_ = (dir_ / "journal.sqlite").string();
    sim_.start();
    symbols_ = sim_.symbols();
    ASSERT_GE(symbols_.size(), 2u);
  }

  void TearDown() override {
    sim_.stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::unique_ptr<engine> start(bool notices = false,
                                const std::function<void(kis::executor_config&)>& tweak = {}) {
    return std::make_unique<engine>(sim_, journal_, dir_ / "cache", notices, tweak);
  }

  static signal market(const std::string& symbol, kis::side dir, std::int64_t qty) {
    signal s;
    s.strategy_id = "pipesim";
    s.symbol = symbol;
    s.dir = dir;
    s.qty = qty;
    s.kind = kis::order_kind::market;
    return s;
  }

  // A buy limit at the day's lower limit: valid, but the synthetic market never trades there
  // within a test, so the order rests.
  signal resting_buy(const std::string& symbol, std::int64_t qty) const {
    auto q = sim_.quote(symbol);
    auto px = q.lower_limit;
    if (auto tick = kis::krx_tick_size(px); px % tick != 0)
      px += tick - px % tick;
    signal s = market(symbol, kis::side::buy, qty);
    s.kind = kis::order_kind::limit;
    s.price = px;
    return s;
  }

  std::vector<kis::sim::order_log_entry> new_orders() const {
    std::vector<kis::sim::order_log_entry> out;
    for (const auto& o : sim_.orders())
      if (o.orig_order_no.empty())
        out.push_back(o);
    return out;
  }

  kis::sim::server sim_;
  std::filesystem::path dir_;
  std::string journal_;
  std::vector<std::string> symbols_;
};

// a) Orders placed through the executor fill in the simulator; positions and realised P&L
// match the simulator's holdings and cash; one request per order.
TEST_F(ExecutorAgainstSim, OrdersFillAndPositionsAndPnlMatchTheSimulator) {
  const auto& a = symbols_[0];
  const auto& b = symbols_[1];
  auto cash_before = sim_.cash();
  auto eng = start();
  eng->accepted(market(a, kis::side::buy, 10));
  eng->accepted(market(b, kis::side::buy, 5));
  ASSERT_TRUE(eventually([&] { return eng->orders_in("filled", 2); })) << eng->dump();
  eng->accepted(market(a, kis::side::sell, 10)); // needs the filled position
  ASSERT_TRUE(eventually([&] { return eng->orders_in("filled", 3); })) << eng->dump();

  auto s = eng->status();
  EXPECT_EQ(s.accepted, 3u);
  EXPECT_EQ(s.fills, 3u);
  auto log = sim_.orders();
  ASSERT_EQ(log.size(), 3u);
  expect_no_duplicate(log);
  EXPECT_EQ(sim_.stats().orders_received, 3u);

  std::int64_t open_cost = 0;
  for (const auto& h : sim_.holdings()) {
    EXPECT_EQ(position_of(s, h.symbol), h.qty) << h.symbol;
    for (const auto& p : s.positions)
      if (p.symbol == h.symbol && h.qty > 0) {
        EXPECT_EQ(p.avg_price, h.avg_price) << h.symbol;
        open_cost += p.qty * p.avg_price;
      }
  }
  EXPECT_EQ(position_of(s, a), 0);
  EXPECT_EQ(position_of(s, b), 5);
  // No fees in the simulator: what the round trip on `a` made is what cash shows beyond the
  // cost of what is still held.
  EXPECT_EQ(s.realized_pnl, sim_.cash() - cash_before + open_cost);

  // The journal agrees with the exchange's order numbers.
  auto entries = settled_journal(journal_, [](const auto& es) { return all_filled(es); });
  ASSERT_EQ(entries.size(), 3u);
  for (const auto& e : entries) {
    EXPECT_EQ(e.status, kis::order_status::filled);
    EXPECT_EQ(e.filled_qty, e.qty);
    EXPECT_EQ(std::count_if(log.begin(), log.end(),
                            [&](const auto& o) { return o.order_no == e.order_no; }),
              1)
        << e.client_id;
  }
}

// b) The simulator executes an order but never answers: the executor gets an unknown outcome,
// finds the order through inquire-daily-ccld and adopts it; nothing is sent again.
TEST_F(ExecutorAgainstSim, HungOrderThatExecutedIsAdoptedThroughInquireDailyCcld) {
  const auto& a = symbols_[0];
  auto eng = start();
  sim_.hang_next(buy_tr, 1, true);
  auto cid = eng->accepted(market(a, kis::side::buy, 3));
  ASSERT_TRUE(eventually([&] { return eng->orders_in("filled", 1); })) << eng->dump();

  auto log = sim_.orders();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(sim_.stats().hung_responses, 1u);
  EXPECT_EQ(sim_.stats().orders_received, 1u);
  auto entries = settled_journal(journal_, [](const auto& es) { return all_filled(es); });
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].client_id, cid);
  EXPECT_EQ(entries[0].order_no, log[0].order_no);
  EXPECT_EQ(entries[0].filled_qty, 3);
  EXPECT_NE(entries[0].message.find("inquire-daily-ccld"), std::string::npos) << entries[0].message;
  auto s = eng->status();
  EXPECT_EQ(s.fills, 1u);
  EXPECT_EQ(position_of(s, a), 3);
}

// b) The same with execution notices on: the notices of the hung order arrive while its
// request is still in flight, the order is adopted through inquire-daily-ccld, and its fill
// is counted once (the notice and the ccld row are the same fill).
TEST_F(ExecutorAgainstSim, HungOrderWithNoticesCountsItsFillOnce) {
  const auto& a = symbols_[0];
  auto eng = start(true);
  // Notices flow once the feed registered the HTS id; a first order shows it.
  ASSERT_TRUE(eventually([&] { return sim_.realtime_stats().registrations >= 1; }));
  sim_.hang_next(buy_tr, 1, true);
  eng->accepted(market(a, kis::side::buy, 4));
  ASSERT_TRUE(eventually([&] { return eng->orders_in("filled", 1); })) << eng->dump();
  eng->accepted(market(a, kis::side::sell, 4));
  ASSERT_TRUE(eventually([&] { return eng->orders_in("filled", 2); })) << eng->dump();
  std::this_thread::sleep_for(500ms); // late notices, if any, have arrived

  auto s = eng->status();
  EXPECT_EQ(s.fills, 2u);
  EXPECT_EQ(position_of(s, a), 0);
  for (const auto& h : sim_.holdings())
    EXPECT_EQ(position_of(s, h.symbol), h.qty) << h.symbol;
  auto log = sim_.orders();
  EXPECT_EQ(log.size(), 2u);
  expect_no_duplicate(log);
  for (const auto& e : settled_journal(journal_, [](const auto& es) { return all_filled(es); }))
    EXPECT_EQ(e.filled_qty, e.qty) << e.client_id;
}

// b) The simulator swallows the request without executing it: after reconcile_attempts
// passes of inquire-daily-ccld the executor concludes "not placed" and does not resend; a
// new signal is a new order.
TEST_F(ExecutorAgainstSim, HungOrderThatNeverExecutedIsConcludedNotPlaced) {
  const auto& a = symbols_[0];
  auto eng = start();
  sim_.hang_next(buy_tr, 1, false);
  auto cid = eng->accepted(market(a, kis::side::buy, 3));
  ASSERT_TRUE(eventually([&] { return eng->orders_in("rejected", 1); })) << eng->dump();
  EXPECT_TRUE(sim_.orders().empty());
  EXPECT_EQ(sim_.stats().orders_received, 0u);
  auto entries = settled_journal(journal_, [](const auto& es) {
    return es.size() == 1 && es[0].status == kis::order_status::rejected;
  });
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].status, kis::order_status::rejected);
  EXPECT_TRUE(entries[0].order_no.empty());
  EXPECT_NE(entries[0].message.find("not placed"), std::string::npos) << entries[0].message;

  // Nothing more leaves for that order, however long we wait.
  std::this_thread::sleep_for(600ms);
  EXPECT_TRUE(sim_.orders().empty());

  eng->accepted(market(a, kis::side::buy, 2));
  ASSERT_TRUE(eventually([&] { return eng->orders_in("filled", 1); })) << eng->dump();
  auto log = sim_.orders();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].qty, 2);
  EXPECT_EQ(position_of(eng->status(), a), 2);
}

// c) An engine stops abruptly while an order's response hangs; a new engine on the same
// journal reconciles the open entry before sending anything new, and nothing is sent twice.
TEST_F(ExecutorAgainstSim, RestartReconcilesTheOpenEntryFirstAndSendsNothingTwice) {
  const auto& a = symbols_[0];
  const auto& b = symbols_[1];
  std::string first_cid;
  {
    auto eng = start();
    sim_.hang_next(buy_tr, 1, true);
    first_cid = eng->accepted(market(a, kis::side::buy, 4));
    ASSERT_TRUE(eventually([&] { return sim_.orders().size() == 1; }));
    eng->stop_abruptly();
  }
  auto open = journal_entries(journal_);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].status, kis::order_status::journaled);
  EXPECT_TRUE(open[0].order_no.empty());

  auto eng = start();
  auto second_cid = eng->accepted(market(b, kis::side::buy, 2));
  EXPECT_NE(second_cid, first_cid);
  ASSERT_TRUE(eventually([&] { return eng->orders_in("filled", 2); })) << eng->dump();

  auto log = sim_.orders();
  ASSERT_EQ(log.size(), 2u);
  expect_no_duplicate(log);
  EXPECT_EQ(log[0].symbol, a);
  EXPECT_EQ(log[0].qty, 4);
  EXPECT_EQ(log[1].symbol, b);
  EXPECT_EQ(log[1].qty, 2);
  std::map<std::string, kis::journal_entry> by_cid;
  for (auto& e : settled_journal(journal_, [](const auto& es) { return all_filled(es); }))
    by_cid[e.client_id] = e;
  ASSERT_EQ(by_cid.size(), 2u);
  const auto& adopted = by_cid[first_cid];
  const auto& fresh = by_cid[second_cid];
  EXPECT_EQ(adopted.order_no, log[0].order_no);
  EXPECT_EQ(adopted.status, kis::order_status::filled);
  EXPECT_EQ(fresh.order_no, log[1].order_no);
  // Reconciled first: the open entry was settled before the new signal was journaled.
  EXPECT_LT(adopted.updated_ns, fresh.created_ns);
  auto s = eng->status();
  EXPECT_EQ(position_of(s, a), 4);
  EXPECT_EQ(position_of(s, b), 2);
}

// d) Drain with the cancel policy: open orders are cancelled in the simulator, once each.
TEST_F(ExecutorAgainstSim, DrainCancelsOpenOrdersInTheSimulator) {
  const auto& a = symbols_[0];
  const auto& b = symbols_[1];
  auto eng = start();
  eng->accepted(resting_buy(a, 2));
  eng->accepted(resting_buy(b, 3));
  ASSERT_TRUE(eventually([&] { return eng->orders_in("sent", 2); })) << eng->dump();
  auto placed = sim_.orders();
  ASSERT_EQ(placed.size(), 2u);

  auto s = eng->drain();
  EXPECT_EQ(count_of(s.orders, "cancelled"), 2u);
  EXPECT_EQ(s.fills, 0u);
  auto log = sim_.orders();
  ASSERT_EQ(log.size(), 4u);
  expect_no_duplicate(log);
  for (const auto& p : placed)
    EXPECT_EQ(std::count_if(log.begin(), log.end(),
                            [&](const auto& o) {
                              return o.orig_order_no == p.order_no && o.tr_id == cancel_tr;
                            }),
              1)
        << p.order_no;
  for (const auto& r : eng->today_fills()) {
    if (r.orig_order_no.empty()) {
      EXPECT_EQ(r.remaining_qty, 0) << r.order_no;
      EXPECT_EQ(r.filled_qty, 0) << r.order_no;
    }
  }
  for (const auto& e : journal_entries(journal_))
    EXPECT_EQ(e.status, kis::order_status::cancelled) << e.client_id;
  auto [ack, err] = eng->submit(market(a, kis::side::buy, 1));
  EXPECT_FALSE(ack.has_value());
  EXPECT_EQ(err, kis::errc::shutting_down);
  EXPECT_TRUE(sim_.holdings().empty());
}

} // namespace
