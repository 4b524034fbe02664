// The rate governor as an actor on the virtual clock: delayed grants are promises fulfilled by
// its timer, dead requesters give their place back, statistics and samples come out.
#include "budget_fixture.hpp" // first: it brings CAF's test DSL before gtest

#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include "actors/budget/rate_governor.hpp"
#include "support/metrics_probe.hpp"
#include "window_check.hpp"

using namespace std::chrono_literals;

namespace {

constexpr auto market = static_cast<std::size_t>(kis::permit_class::market_data);

struct RateGovernorTest : kis::test::budget_fixture {
  kis::rate_governor_actor gov;

  void SetUp() override {
    kis::governor_config gc;
    gc.limit = 18;
    gc.safety_margin = 5ms;
    ASSERT_FALSE(kis::validate(gc).has_value());
    gov = kis::spawn_rate_governor(sys, gc);
    sched.run();
  }
  void TearDown() override {
    caf::anon_send_exit(gov, caf::exit_reason::user_shutdown);
    sched.run();
  }

  // Collects every permit already in the scoped actor's mailbox and, as the gateway does, tells
  // the governor each one's request left at once (unless told otherwise).
  std::vector<kis::permit> collect(bool report_left = true) {
    std::vector<kis::permit> out;
    bool more = true;
    while (more)
      self->receive([&](const kis::permit& p) { out.push_back(p); },
                    caf::after(std::chrono::seconds(0)) >> [&] { more = false; });
    if (report_left) {
      for (const auto& p : out)
        self->send(gov, kis::permit_use{p.id, true});
      sched.run();
    }
    return out;
  }

  // Fires timers one by one, collecting (and reporting) the permits each one brings.
  std::vector<kis::permit> collect_through_timers() {
    std::vector<kis::permit> out;
    for (;;) {
      auto got = collect();
      out.insert(out.end(), got.begin(), got.end());
      if (!sched.trigger_timeout())
        return out;
      sched.run();
    }
  }

  kis::api_stats stats() {
    kis::api_stats st;
    auto h = self->request(gov, caf::infinite, caf::get_atom_v, kis::stats_atom_v);
    sched.run();
    h.receive([&](const kis::api_stats& s) { st = s; }, [](caf::error&) { FAIL(); });
    return st;
  }
};

} // namespace

TEST_F(RateGovernorTest, DelayedGrantsKeepEverySlidingSecondOnTheVirtualClock) {
  for (int i = 0; i < 60; ++i)
    self->send(gov,
               kis::permit_request{kis::permit_class::market_data, "r" + std::to_string(i % 7)});
  sched.run();
  auto first = collect();
  EXPECT_EQ(first.size(), 1u); // queries are spread one per slot
  auto rest = collect_through_timers();
  std::vector<std::int64_t> t;
  for (const auto& p : first)
    t.push_back(p.granted_ns);
  for (const auto& p : rest)
    t.push_back(p.granted_ns);
  ASSERT_EQ(t.size(), 60u);
  EXPECT_LE(kis::test::max_in_any_window(t, 1'000'000'000), 18u);
  const auto st = stats();
  EXPECT_EQ(st.total_calls, 60u);
  EXPECT_LE(st.max_in_window, 18u);
  EXPECT_EQ(st.waiting_by_class[market], 0u);
}

TEST_F(RateGovernorTest, OrderOvertakesQueuedQueries) {
  for (int i = 0; i < 40; ++i)
    self->send(gov, kis::permit_request{kis::permit_class::market_data, "q"});
  sched.run();
  EXPECT_EQ(collect().size(), 1u);
  self->send(gov, kis::permit_request{kis::permit_class::order, "exec"});
  sched.run();
  auto now = collect(); // orders are not spread and the window has room: at once
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0].cls, kis::permit_class::order);
  EXPECT_EQ(now[0].waited_ns, 0);
}

TEST_F(RateGovernorTest, DeadRequesterReleasesItsPlace) {
  for (int i = 0; i < 18; ++i)
    self->send(gov, kis::permit_request{kis::permit_class::order, "fill"});
  sched.run();
  EXPECT_EQ(collect().size(), 18u);
  auto gov_copy = gov;
  auto client = sys.spawn([gov_copy](caf::event_based_actor* a) {
    for (int i = 0; i < 3; ++i)
      a->request(gov_copy, caf::infinite, kis::permit_request{kis::permit_class::market_data, "c"})
          .then([](const kis::permit&) {});
  });
  sched.run();
  EXPECT_EQ(stats().waiting_by_class[market], 3u);
  caf::anon_send_exit(client, caf::exit_reason::kill);
  sched.run();
  EXPECT_EQ(stats().waiting_by_class[market], 0u);
  run_all_timers();
  EXPECT_EQ(stats().total_calls, 18u); // nobody was granted on behalf of the dead client
}

TEST_F(RateGovernorTest, CancelAnswersWaitersWithATypedError) {
  for (int i = 0; i < 18; ++i)
    self->send(gov, kis::permit_request{kis::permit_class::order, "fill"});
  sched.run();
  collect();
  auto h = self->request(gov, caf::infinite,
                         kis::permit_request{kis::permit_class::market_data, "giver-up"});
  sched.run();
  self->send(gov, kis::cancel_atom_v, std::string{"giver-up"});
  sched.run();
  bool cancelled = false;
  h.receive([](const kis::permit&) { FAIL() << "granted after cancel"; },
            [&](caf::error& e) { cancelled = kis::view(e).code == kis::errc::cancelled; });
  EXPECT_TRUE(cancelled);
}

TEST_F(RateGovernorTest, RateLimitedOutcomeBacksOffVisibly) {
  self->send(
      gov, kis::call_outcome{1, kis::permit_class::market_data, kis::call_result::rate_limited, 0});
  sched.run();
  auto st = stats();
  EXPECT_DOUBLE_EQ(st.effective_rate, 9.0);
  EXPECT_EQ(st.rate_limited, 1u);
  const auto t0 = now_ns();
  self->send(gov, kis::permit_request{kis::permit_class::order, "x"});
  sched.run();
  EXPECT_TRUE(collect().empty()); // paused
  auto p = collect_through_timers();
  ASSERT_EQ(p.size(), 1u);
  EXPECT_GE(p[0].granted_ns - t0, 1'000'000'000); // after the one-second pause
}

TEST_F(RateGovernorTest, SampleCarriesCountersAndWaitHistograms) {
  kis::test::metrics_probe probe{sys};
  sched.run();
  self->send(gov, kis::permit_request{kis::permit_class::account_query, "a"});
  sched.run();
  collect();
  sched.advance_time(1s); // the trailing sample after the grant
  sched.run();
  auto s = probe.sample_of(self, sched, "rate_governor");
  EXPECT_EQ(s.role, "rate_governor");
  EXPECT_EQ(s.histograms.size(), kis::permit_class_count);
  EXPECT_EQ(s.histograms[static_cast<std::size_t>(kis::permit_class::account_query)].count, 1u);
  EXPECT_FALSE(s.values.empty());
}

TEST_F(RateGovernorTest, UnknownClassIsATypedError) {
  kis::permit_request bad;
  bad.cls = static_cast<kis::permit_class>(9);
  auto h = self->request(gov, caf::infinite, bad);
  sched.run();
  bool refused = false;
  h.receive([](const kis::permit&) { FAIL(); },
            [&](caf::error& e) { refused = kis::view(e).code == kis::errc::invalid_argument; });
  EXPECT_TRUE(refused);
}

TEST_F(RateGovernorTest, AQuietGovernorReportsItsLastCallsAndTheEmptyingSecond) {
  namespace m = kis::metric_names;
  kis::test::metrics_probe probe{sys};
  sched.run();
  for (int i = 0; i < 3; ++i)
    self->send(gov, kis::permit_request{kis::permit_class::order, "o"});
  sched.run();
  for (const auto& p : collect(false))
    self->send(gov, kis::call_outcome{p.id, p.cls, kis::call_result::success, 1000});
  sched.run();
  // No more calls: the trailing samples report them, then the emptied last second.
  for (int i = 0; i < 3; ++i) {
    sched.advance_time(1s);
    sched.run();
  }
  auto s = probe.sample_of(self, sched, "rate_governor");
  EXPECT_EQ(kis::test::find_value(s, m::rest_calls_total), 3.0);
  EXPECT_EQ(kis::test::find_value(s, m::rest_call_successes_total), 3.0);
  EXPECT_EQ(kis::test::find_value(s, m::rest_calls_last_second), 0.0);
  EXPECT_EQ(sched.advance_time(10s), 0u); // and then it stays silent
}

// A governor started within a second of its predecessor's calls (kill -9 and restart) reads
// them from the ledger file and does not grant a full second on top of them; a ledger that
// cannot be trusted makes it assume the last second was full.
TEST_F(RateGovernorTest, ARestartRespectsThePreviousProcessCallsThroughTheLedger) {
  auto dir = std::filesystem::temp_directory_path() /
             ("kis-ledger-test-" + std::to_string(::getpid()) + "-" + std::to_string(now_ns()));
  std::filesystem::create_directories(dir);
  auto file = kis::spent_ledger_path(dir, kis::api::environment::paper, "app-key");
  // The wall clock follows the virtual clock, as the real ones move together.
  auto wall_at = [](std::int64_t ns) {
    return kis::wall_time{std::chrono::duration_cast<kis::wall_time::duration>(
        std::chrono::nanoseconds{ns + 1'767'225'600'000'000'000})};
  };
  auto wall = std::make_shared<kis::manual_wall_clock>(wall_at(now_ns()));
  kis::governor_config gc;
  gc.limit = 18;
  gc.safety_margin = 5ms;
  auto spawn = [&] {
    auto ledger = kis::spent_ledger::open(file);
    EXPECT_TRUE(ledger.ok());
    return kis::spawn_rate_governor(sys, gc, kis::governor_memory{*ledger, wall, true});
  };
  auto first = spawn();
  sched.run();
  for (int i = 0; i < 18; ++i)
    self->send(first, kis::permit_request{kis::permit_class::order, "o"});
  sched.run();
  // A new ledger knows nothing: the first process waits one window, then spends 18 at once.
  std::vector<kis::permit> spent;
  for (;;) {
    bool more = true;
    while (more)
      self->receive([&](const kis::permit& p) { spent.push_back(p); },
                    caf::after(std::chrono::seconds(0)) >> [&] { more = false; });
    if (!spent.empty() || !sched.trigger_timeout())
      break;
    sched.run();
  }
  ASSERT_EQ(spent.size(), 18u);
  wall->set(wall_at(now_ns()));
  for (const auto& p : spent)
    self->send(first, kis::permit_use{p.id, true});
  sched.run();
  caf::anon_send_exit(first, caf::exit_reason::kill); // its state is gone, the file stays
  sched.run();

  wall->set(wall_at(now_ns() + 300'000'000)); // the new process asks 300 ms later
  sched.advance_time(300ms);
  gov = spawn();
  sched.run();
  const auto t0 = now_ns();
  self->send(gov, kis::permit_request{kis::permit_class::order, "o"});
  sched.run();
  EXPECT_TRUE(collect().empty()); // the server still counts 18 calls in this second
  auto later = collect_through_timers();
  ASSERT_EQ(later.size(), 1u);
  EXPECT_GE(later[0].granted_ns - t0, 700'000'000); // only when those 18 left the window

  // A ledger that is not ours (wrong size) is reset, and a reset ledger means "unknown".
  caf::anon_send_exit(gov, caf::exit_reason::kill);
  sched.run();
  std::filesystem::resize_file(file, 7);
  gov = spawn();
  sched.run();
  self->send(gov, kis::permit_request{kis::permit_class::order, "o"});
  sched.run();
  EXPECT_TRUE(collect().empty()); // assumed full
  EXPECT_EQ(collect_through_timers().size(), 1u);
  std::filesystem::remove_all(dir);
}
