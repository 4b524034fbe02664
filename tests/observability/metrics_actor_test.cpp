// The recorder counts what an instrumented actor does, the metrics actor merges samples and
// warns once per episode, and no secret survives into a label. Deterministic: CAF's test
// coordinator with virtual time.
#include "support/caf_gtest.hpp"

#include <gtest/gtest.h>

#include "actors/observability/instrumentation.hpp"
#include "actors/observability/metrics.hpp"
#include "runtime/exposition.hpp"

namespace {

using namespace std::chrono_literals;

using worker_actor = caf::typed_actor<caf::reacts_to<int>>;

struct worker_state {
  kis::actor_recorder rec{"worker-1", "test_worker"};
  kis::metric_handle jobs = rec.counter("jobs_total", {{"kind", "even"}});
  kis::histogram_handle wait = rec.histogram("job_wait_seconds");
  static inline const char* name = "test.worker";
};

worker_actor::behavior_type worker(worker_actor::stateful_pointer<worker_state> self,
                                   kis::metrics_actor sink) {
  self->state.rec.attach(std::move(sink));
  return {
      [=](int x) {
        auto& st = self->state;
        auto m = st.rec.measure(self);
        if (x < 0)
          m.fail();
        if (x % 2 == 0)
          st.rec.add(st.jobs);
        st.rec.observe(st.wait, 0.002);
      },
  };
}

// Attaches nothing and adds a figure computed at publish time.
worker_actor::behavior_type registry_worker(worker_actor::stateful_pointer<worker_state> self) {
  self->state.rec.on_publish([](kis::actor_sample& s) {
    s.values.push_back({"computed_total", kis::metric_type::counter, {}, 42});
  });
  return {[=](int) { auto m = self->state.rec.measure(self); }};
}

// Fake /proc: the test decides how much CPU the process used.
struct fake_process {
  std::shared_ptr<double> cpu = std::make_shared<double>(0);
  kis::process_usage operator()() const { return {1u << 20, *cpu, 0, 1}; }
};

struct MetricsActorTest : ::testing::Test, test_coordinator_fixture<> {
  fake_process proc;
  std::shared_ptr<std::vector<kis::metrics_warning>> logged =
      std::make_shared<std::vector<kis::metrics_warning>>();
  std::shared_ptr<std::shared_ptr<const kis::metrics_snapshot>> published =
      std::make_shared<std::shared_ptr<const kis::metrics_snapshot>>();
  kis::metrics_actor metrics;

  void SetUp() override {
    kis::metrics_config mc;
    mc.probe = proc;
    mc.log = [log = logged](const kis::metrics_warning& w) { log->push_back(w); };
    mc.publish = [out = published](auto snap) { *out = std::move(snap); };
    mc.clock = std::make_shared<kis::manual_wall_clock>();
    metrics = kis::spawn_metrics(sys, mc);
    sched.run();
  }

  void TearDown() override {
    caf::anon_send_exit(metrics, caf::exit_reason::user_shutdown);
    sched.run();
  }

  kis::metrics_snapshot snapshot() {
    self->send(metrics, caf::get_atom_v);
    sched.run();
    kis::metrics_snapshot out;
    self->receive([&](kis::metrics_snapshot& s) { out = std::move(s); });
    return out;
  }

  // One collect tick on the virtual clock.
  void tick() {
    sched.advance_time(1s);
    sched.run();
  }

  static const kis::actor_sample* find(const kis::metrics_snapshot& s, const std::string& actor) {
    for (const auto& a : s.actors)
      if (a.actor == actor)
        return &a;
    return nullptr;
  }

  std::size_t raised(const std::string& key) const {
    return static_cast<std::size_t>(std::count_if(
        logged->begin(), logged->end(), [&](auto& w) { return w.raised && w.key == key; }));
  }
};

TEST_F(MetricsActorTest, CountersMoveWhenAnInstrumentedActorWorks) {
  auto w = sys.spawn(worker, metrics);
  for (int i : {1, 2, 3, 4, -5})
    self->send(w, i);
  sched.run();
  // The first message published at once; the rest show up after the publish interval.
  auto first = find(snapshot(), "worker-1");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->role, "test_worker");
  EXPECT_EQ(first->processed, 1u);
  sched.advance_time(1s);
  self->send(w, 6);
  sched.run();
  auto snap = snapshot();
  auto s = find(snap, "worker-1");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->processed, 6u);
  EXPECT_EQ(s->errors, 1u);
  EXPECT_EQ(s->processing.count, 6u); // quiet actor: every message timed
  EXPECT_EQ(kis::find_total(*s, "jobs_total"), 3.0);
  ASSERT_EQ(s->histograms.size(), 1u);
  EXPECT_EQ(s->histograms[0].count, 6u);
  EXPECT_NE(find(snap, "metrics"), nullptr); // the metrics actor reports itself
  caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
  sched.run();
}

TEST_F(MetricsActorTest, RecorderSamplesTheMailboxFromInsideTheHandler) {
  auto w = sys.spawn(worker, metrics);
  for (int i = 0; i < 10; ++i)
    self->send(w, i);
  sched.run_once(); // the worker handles one message; nine wait behind it
  sched.run();
  sched.advance_time(1s);
  self->send(w, 0);
  sched.run();
  auto s = find(snapshot(), "worker-1");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->mailbox_depth_max, 9u);
  caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
  sched.run();
}

TEST_F(MetricsActorTest, KeepsTheLatestSamplePerActorAndPublishesOnEveryTick) {
  auto a = kis::actor_sample{};
  a.actor = "analyzer-1";
  a.role = "analyzer";
  a.processed = 10;
  self->send(metrics, a);
  a.processed = 25;
  self->send(metrics, a);
  a.actor = "analyzer-2";
  a.processed = 3;
  self->send(metrics, a);
  sched.run();
  auto snap = snapshot();
  ASSERT_NE(find(snap, "analyzer-1"), nullptr);
  EXPECT_EQ(find(snap, "analyzer-1")->processed, 25u);
  EXPECT_EQ(find(snap, "analyzer-2")->processed, 3u);
  EXPECT_EQ(snap.rss_bytes, 1u << 20);
  tick();
  ASSERT_TRUE(*published);
  EXPECT_NE(find(**published, "analyzer-2"), nullptr);
}

TEST_F(MetricsActorTest, QuietActorsStayAndTerminatedOnesLeave) {
  auto w = sys.spawn(worker, metrics);
  self->send(w, 1);
  sched.run();
  for (int i = 0; i < 120; ++i)
    tick(); // two quiet minutes
  EXPECT_NE(find(snapshot(), "worker-1"), nullptr);
  caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
  sched.run();
  EXPECT_EQ(find(snapshot(), "worker-1"), nullptr);
}

TEST_F(MetricsActorTest, RecordersFindTheMetricsActorInTheRegistry) {
  auto w = sys.spawn(registry_worker); // no attach()
  self->send(w, 1);
  sched.run();
  auto s = find(snapshot(), "worker-1");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(kis::find_total(*s, "computed_total"), 42.0);
  caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
  sched.run();
}

TEST_F(MetricsActorTest, WarnsOncePerEpisode) {
  *proc.cpu += 0.9; // 90 % of the one core
  tick();
  EXPECT_EQ(raised("process_cpu"), 1u);
  *proc.cpu += 0.85; // still hot: the same episode, no new line
  tick();
  EXPECT_EQ(raised("process_cpu"), 1u);
  *proc.cpu += 0.1; // cooled down: the episode ends
  tick();
  ASSERT_FALSE(logged->empty());
  EXPECT_FALSE(logged->back().raised);
  EXPECT_EQ(logged->back().key, "process_cpu");
  *proc.cpu += 0.95; // a new episode warns again
  tick();
  EXPECT_EQ(raised("process_cpu"), 2u);
}

// A saturated budget and full slots are the normal state: shown, never warned.
TEST_F(MetricsActorTest, WarnsAboutTroubleNotAboutAFullBudgetOrFullSlots) {
  namespace m = kis::metric_names;
  using enum kis::metric_type;
  kis::actor_sample s;
  s.actor = "order_executor";
  s.role = "order_executor";
  s.mailbox_depth_max = 5000;
  s.values = {
      {m::executor_queue_depth, gauge, {}, 600},  {m::rest_calls_last_second, gauge, {}, 19},
      {m::rest_rate_limit, gauge, {}, 20},        {m::ws_registrations, gauge, {}, 40},
      {m::ws_registrations_limit, gauge, {}, 41}, {m::token_remaining_seconds, gauge, {}, 120}};
  self->send(metrics, s);
  sched.run();
  tick();
  tick();
  tick(); // the mailbox stays deep for three rounds: growth, not a burst
  for (const char* key :
       {"mailbox:order_executor", "executor_queue:order_executor", "token_life:order_executor"})
    EXPECT_EQ(raised(key), 1u) << key;
  for (const char* key : {"budget:order_executor", "ws_slots:order_executor"})
    EXPECT_EQ(raised(key), 0u) << key;
  // What the console lists comes with the snapshot.
  auto snap = snapshot();
  EXPECT_EQ(snap.warnings.size(), 3u);
}

// --- secrets never reach a label ---

const std::string fake_app_key = "PSg5dctL9dKPo727J13Ur405OSXXXXXXXXXX";
const std::string fake_token =
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzUxMiJ9.eyJzdWIiOiJ0b2tlbiJ9.c2lnbmF0dXJl";
const std::string fake_approval = "a8b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d";

TEST(LabelHygiene, AcceptsIdentifiersAndRefusesSecrets) {
  for (const char* ok : {"analyzer-3", "order", "EGW00201", "005930", "ma_cross", "kis.metrics"})
    EXPECT_TRUE(kis::is_safe_label_value(ok)) << ok;
  for (const auto& bad : {fake_app_key, fake_token, fake_approval, std::string{"a b"},
                          std::string{"x\"y"}, std::string{}, std::string(17, 'a')})
    EXPECT_FALSE(kis::is_safe_label_value(bad)) << bad;
  EXPECT_TRUE(kis::is_valid_metric_name("permits_granted_total"));
  EXPECT_FALSE(kis::is_valid_metric_name("Permits"));
  EXPECT_FALSE(kis::is_valid_metric_name("1x"));
}

TEST(LabelHygiene, TheRecorderRedactsSecretLabelsAndNames) {
  kis::actor_recorder rec{fake_token, "rest_gateway"};
  rec.add(rec.counter("calls_total", {{"key", fake_app_key}}));
  rec.set(rec.gauge(fake_app_key), 1); // a secret as a metric name is dropped
  auto s = rec.sample(0);
  EXPECT_EQ(s.actor, "redacted");
  ASSERT_EQ(s.values.size(), 1u);
  EXPECT_EQ(s.values[0].labels[0].value, "redacted");
}

TEST_F(MetricsActorTest, NoSecretAppearsInAnyExposition) {
  // A sample that bypassed the recorder (e.g. from another node) is cleaned on arrival.
  kis::actor_sample s;
  s.actor = fake_app_key;
  s.role = "rest_gateway";
  s.values = {{"calls_total", kis::metric_type::counter, {{"appkey", fake_app_key}}, 1},
              {"token_total", kis::metric_type::counter, {{"token", fake_token}}, 1},
              {fake_app_key, kis::metric_type::gauge, {}, 1}};
  s.histograms = {{"wait_seconds", {{"approval", fake_approval}}, {1.0}, {0, 0}, 0, 0}};
  self->send(metrics, s);
  sched.run();
  auto snap = snapshot();
  for (const auto& text : {kis::to_prometheus(snap), kis::to_json(snap)})
    for (const auto& secret : {fake_app_key, fake_token, fake_approval})
      EXPECT_EQ(text.find(secret), std::string::npos) << secret << " leaked into\n" << text;
  EXPECT_NE(kis::to_prometheus(snap).find("appkey=\"redacted\""), std::string::npos);
}

} // namespace

namespace {

// An int is work; publish_atom is the recorder's trailing publish, sent by the actor to itself.
using quiet_worker_actor = worker_actor::extend<caf::reacts_to<kis::publish_atom>>;

quiet_worker_actor::behavior_type
quiet_worker(quiet_worker_actor::stateful_pointer<worker_state> self) {
  self->state.rec.publish_when_idle();
  return {
      [=](int) { auto m = self->state.rec.measure(self); },
      [=](kis::publish_atom) { self->state.rec.publish(self); },
  };
}

TEST_F(MetricsActorTest, AQuietActorReportsItsLastWorkOnceThenStaysSilent) {
  auto w = sys.spawn(quiet_worker);
  for (int i = 1; i <= 3; ++i)
    self->send(w, i);
  sched.run();
  EXPECT_EQ(find(snapshot(), "worker-1")->processed, 1u); // the first published at once
  EXPECT_EQ(sched.advance_time(1s), 2u); // the poke and the metrics actor's collect timer
  sched.run();
  EXPECT_EQ(find(snapshot(), "worker-1")->processed, 3u);
  EXPECT_EQ(sched.advance_time(10s), 1u); // only the metrics actor's own collect timer
  sched.run();
  caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
  sched.run();
}

} // namespace
