// The token keeper on the virtual clock with a fake OAuth endpoint: single flight, the cache
// file, refresh ahead of expiry, the one-issue-a-minute rule and the refused-token path.
#include "budget_fixture.hpp" // first: it brings CAF's test DSL before gtest

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <sys/stat.h>

#include <caf/send.hpp>

#include "actors/budget/token_cache.hpp"
#include "actors/budget/token_keeper.hpp"
#include "kis/kst.hpp"
#include "messages/errors.hpp"
#include "support/http_reply.hpp"
#include "support/metrics_probe.hpp"

using namespace std::chrono_literals;

namespace {

using kis::test::reply;

constexpr std::int64_t hour_ns = 3'600'000'000'000;

// Records each OAuth request; the test decides when and how KIS answers.
struct fake_oauth {
  struct call {
    kis::endpoint_id id;
    kis::oauth_done done;
  };
  std::vector<call> calls;

  kis::oauth_issue_fn fn() {
    return [this](kis::endpoint_id id, kis::oauth_done done) {
      calls.push_back({id, std::move(done)});
    };
  }
};

std::string token_body(const std::string& value, std::int64_t expires_ns) {
  return R"({"access_token":")" + value + R"(","token_type":"Bearer","expires_in":86400,)" +
         R"("access_token_token_expired":")" + kis::api::kst::format_datetime(expires_ns) + "\"}";
}

struct TokenKeeperTest : kis::test::budget_fixture {
  std::shared_ptr<kis::manual_wall_clock> wall = std::make_shared<kis::manual_wall_clock>();
  fake_oauth oauth;
  std::filesystem::path dir;
  std::vector<kis::token_keeper_actor> keepers;
  const std::string app_key = "PSabcdefghijklmnopqrstuvwxyz0123456789";

  void SetUp() override {
    dir = std::filesystem::temp_directory_path() /
          ("kis-keeper-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir);
  }
  void TearDown() override {
    for (auto& k : keepers)
      caf::anon_send_exit(k, caf::exit_reason::user_shutdown);
    sched.run();
    std::filesystem::remove_all(dir);
  }

  kis::token_keeper_actor spawn(bool with_cache = true) {
    kis::token_keeper_config kc;
    kc.env = kis::api::environment::real;
    kc.app_key = app_key;
    kc.cache_dir = with_cache ? dir : std::filesystem::path{};
    kc.clock = wall;
    keepers.push_back(kis::spawn_token_keeper(sys, kc, oauth.fn()));
    sched.run();
    return keepers.back();
  }

  // Moves the wall clock and the actor clock together.
  void advance(std::chrono::nanoseconds d) {
    wall->advance(d);
    sched.advance_time(d);
    sched.run();
  }

  void answer(std::size_t i, kis::http_exchange ex) {
    oauth.calls.at(i).done(std::move(ex));
    sched.run();
  }

  void answer_token(std::size_t i, const std::string& value) {
    answer(i, reply(200, token_body(value, wall->now_ns() + 24 * hour_ns)));
  }

  // Every token (or error) waiting in the scoped actor's mailbox.
  std::vector<std::string> replies() {
    std::vector<std::string> out;
    bool more = true;
    while (more)
      self->receive(
          [&](const kis::access_token& t) { out.push_back(t.value); },
          [&](caf::error& e) { out.push_back("error:" + kis::to_string(kis::view(e).code)); },
          caf::after(std::chrono::seconds(0)) >> [&] { more = false; });
    return out;
  }

  kis::token_info info(kis::token_keeper_actor k) {
    kis::token_info ti;
    auto h = self->request(k, caf::infinite, kis::info_atom_v);
    sched.run();
    h.receive([&](const kis::token_info& x) { ti = x; }, [](caf::error&) { FAIL(); });
    return ti;
  }
};

} // namespace

TEST_F(TokenKeeperTest, ThousandConcurrentAskersCauseExactlyOneIssue) {
  auto k = spawn();
  for (int i = 0; i < 1000; ++i)
    self->send(k, kis::token_atom_v);
  sched.run();
  ASSERT_EQ(oauth.calls.size(), 1u);
  EXPECT_EQ(oauth.calls[0].id, kis::endpoint_id::token_issue);
  answer_token(0, "tok-1");
  auto got = replies();
  ASSERT_EQ(got.size(), 1000u);
  for (const auto& v : got)
    EXPECT_EQ(v, "tok-1");
  EXPECT_EQ(info(k).issues, 1u);
  // Later askers are served from memory.
  self->send(k, kis::token_atom_v);
  sched.run();
  EXPECT_EQ(replies(), std::vector<std::string>{"tok-1"});
  EXPECT_EQ(oauth.calls.size(), 1u);
}

TEST_F(TokenKeeperTest, CacheFileIsPrivateAtomicAndReusedOnStart) {
  auto k1 = spawn();
  self->send(k1, kis::token_atom_v);
  sched.run();
  answer_token(0, "tok-cached");
  replies();
  const auto file = kis::token_cache_path(dir, kis::api::environment::real, app_key);
  ASSERT_TRUE(std::filesystem::exists(file));
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in{file};
  std::string text{std::istreambuf_iterator<char>{in}, {}};
  EXPECT_EQ(text.find(app_key), std::string::npos); // the key itself is never written
  EXPECT_EQ(file.filename().string().find(app_key), std::string::npos);
  for (const auto& e : std::filesystem::directory_iterator{dir})
    EXPECT_EQ(e.path(), file); // no temporary file left behind

  auto k2 = spawn(); // a second process of the same key
  self->send(k2, kis::token_atom_v);
  sched.run();
  EXPECT_EQ(replies(), std::vector<std::string>{"tok-cached"});
  EXPECT_EQ(oauth.calls.size(), 1u);
  EXPECT_TRUE(info(k2).from_cache);
}

TEST_F(TokenKeeperTest, CorruptOrForeignCacheFileIsIgnored) {
  const auto file = kis::token_cache_path(dir, kis::api::environment::real, app_key);
  std::filesystem::create_directories(dir);
  std::ofstream{file} << "{not json";
  auto k1 = spawn();
  self->send(k1, kis::token_atom_v);
  sched.run();
  ASSERT_EQ(oauth.calls.size(), 1u); // not trusted: a fresh issue
  answer_token(0, "tok-a");
  EXPECT_EQ(replies(), std::vector<std::string>{"tok-a"});

  // A valid file of another app key copied into place is foreign.
  kis::cached_token other{{"tok-other", "Bearer", wall->now_ns(), wall->now_ns() + hour_ns}, 0};
  ASSERT_FALSE(kis::store_token_cache(file, kis::api::environment::real, "another-key", other));
  EXPECT_FALSE(kis::load_token_cache(file, kis::api::environment::real, app_key).ok());
  EXPECT_EQ(kis::load_token_cache(file, kis::api::environment::real, app_key).error().code,
            kis::errc::malformed);
  advance(61s);
  auto k2 = spawn();
  self->send(k2, kis::token_atom_v);
  sched.run();
  ASSERT_EQ(oauth.calls.size(), 2u);
}

TEST_F(TokenKeeperTest, RefreshesAheadOfExpiry) {
  auto k = spawn(false);
  self->send(k, kis::token_atom_v);
  sched.run();
  answer_token(0, "tok-day-1");
  replies();
  // 23 h 49 min later the token is still served, and the refresh-ahead timer has fired.
  advance(std::chrono::minutes{23 * 60 + 50});
  ASSERT_EQ(oauth.calls.size(), 2u);
  self->send(k, kis::token_atom_v);
  sched.run();
  EXPECT_EQ(replies(), std::vector<std::string>{"tok-day-1"});
  answer_token(1, "tok-day-2");
  self->send(k, kis::token_atom_v);
  sched.run();
  EXPECT_EQ(replies(), std::vector<std::string>{"tok-day-2"});
  EXPECT_EQ(info(k).issues, 2u);
}

TEST_F(TokenKeeperTest, TooSoonWaitsOutTheMinuteThenRetriesOnce) {
  auto k = spawn(false);
  self->send(k, kis::token_atom_v);
  sched.run();
  answer(0, reply(403, R"({"error_code":"EGW00133","error_description":"1분당 1회"})"));
  EXPECT_TRUE(replies().empty()); // still waiting
  advance(59s);
  EXPECT_EQ(oauth.calls.size(), 1u);
  advance(1s);
  ASSERT_EQ(oauth.calls.size(), 2u);
  answer_token(1, "tok-late");
  EXPECT_EQ(replies(), std::vector<std::string>{"tok-late"});
  EXPECT_EQ(info(k).too_soon, 1u);
}

TEST_F(TokenKeeperTest, TooSoonTwiceFailsTheAskersWithATypedError) {
  auto k = spawn(false);
  self->send(k, kis::token_atom_v);
  sched.run();
  const std::string refused = R"({"error_code":"EGW00133","error_description":"1분당 1회"})";
  answer(0, reply(403, refused));
  advance(60s);
  ASSERT_EQ(oauth.calls.size(), 2u);
  answer(1, reply(403, refused));
  EXPECT_EQ(replies(), std::vector<std::string>{"error:token_too_soon"});
  EXPECT_EQ(info(k).too_soon, 2u);
}

TEST_F(TokenKeeperTest, RefusedTokenIsReissuedHonouringTheMinute) {
  auto k = spawn(false);
  self->send(k, kis::token_atom_v);
  sched.run();
  answer_token(0, "tok-old");
  replies();
  advance(10s);
  self->send(k, kis::invalid_atom_v, std::string{"tok-old"});
  sched.run();
  EXPECT_EQ(oauth.calls.size(), 1u); // not within the minute
  advance(50s);
  ASSERT_EQ(oauth.calls.size(), 2u);
  answer_token(1, "tok-new");
  EXPECT_EQ(replies(), std::vector<std::string>{"tok-new"});
  // A caller reporting the old token again gets the new one without another issue.
  self->send(k, kis::invalid_atom_v, std::string{"tok-old"});
  sched.run();
  EXPECT_EQ(replies(), std::vector<std::string>{"tok-new"});
  EXPECT_EQ(oauth.calls.size(), 2u);
}

TEST_F(TokenKeeperTest, ForceRefreshIssuesANewToken) {
  auto k = spawn(false);
  self->send(k, kis::token_atom_v);
  sched.run();
  answer_token(0, "tok-1");
  replies();
  advance(2min);
  self->send(k, kis::refresh_atom_v);
  sched.run();
  ASSERT_EQ(oauth.calls.size(), 2u);
  answer_token(1, "tok-2");
  EXPECT_EQ(replies(), std::vector<std::string>{"tok-2"});
}

TEST_F(TokenKeeperTest, ApprovalKeyIsIssuedOnceAndRenewedAfterAReconnect) {
  auto k = spawn(false);
  std::vector<std::string> keys;
  auto ask = [&](bool renew) {
    if (renew)
      self->send(k, kis::approval_atom_v, kis::refresh_atom_v);
    else
      self->send(k, kis::approval_atom_v);
    sched.run();
  };
  ask(false);
  ask(false);
  ASSERT_EQ(oauth.calls.size(), 1u);
  EXPECT_EQ(oauth.calls[0].id, kis::endpoint_id::approval_key);
  answer(0, reply(200, R"({"approval_key":"appr-1"})"));
  ask(false);
  ask(true);
  ASSERT_EQ(oauth.calls.size(), 2u);
  answer(1, reply(200, R"({"approval_key":"appr-2"})"));
  bool more = true;
  while (more)
    self->receive([&](const kis::approval_key& a) { keys.push_back(a.value); },
                  caf::after(std::chrono::seconds(0)) >> [&] { more = false; });
  EXPECT_EQ(keys, (std::vector<std::string>{"appr-1", "appr-1", "appr-1", "appr-2"}));
}

TEST_F(TokenKeeperTest, ReportsTokenAgeLifeIssuesAndTooSoonToTheMetricsActor) {
  namespace m = kis::metric_names;
  kis::test::metrics_probe probe{sys};
  sched.run();
  auto k = spawn(false);
  self->send(k, kis::token_atom_v);
  sched.run();
  answer(0, reply(403, R"({"error_code":"EGW00133","error_description":"1분당 1회"})"));
  advance(60s); // the retry timer
  ASSERT_EQ(oauth.calls.size(), 2u);
  answer_token(1, "tok-1"); // a new token is reported at once
  auto s = probe.sample_of(self, sched, "token_keeper");
  EXPECT_EQ(s.role, "token_keeper");
  EXPECT_EQ(kis::test::find_value(s, m::token_issues_total), 1.0);
  EXPECT_EQ(kis::test::find_value(s, m::api_error_codes_total, {{"code", "EGW00133"}}), 1.0);
  EXPECT_EQ(kis::test::find_value(s, m::token_age_seconds), 0.0);
  EXPECT_EQ(kis::test::find_value(s, m::token_remaining_seconds), 24 * 3600.0);
  EXPECT_EQ(kis::test::find_value(s, "token_valid"), 1.0);
  // Half an hour on, the next message brings the figures up to date.
  advance(30min);
  EXPECT_EQ(info(k).issues, 1u);
  s = probe.sample_of(self, sched, "token_keeper");
  EXPECT_EQ(kis::test::find_value(s, m::token_age_seconds), 1800.0);
  EXPECT_EQ(kis::test::find_value(s, m::token_remaining_seconds), 24 * 3600.0 - 1800.0);
  EXPECT_GE(s.processed, 4u); // ask, two answers, the timer, info
  EXPECT_EQ(s.errors, 0u);
  replies();
}
