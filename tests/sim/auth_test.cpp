// The gateway's rules: an exact sliding one-second window, token spacing, reuse and expiry.
#include <gtest/gtest.h>

#include "sim/auth.hpp"

namespace {

using namespace std::chrono_literals;
using kis::sim::rate_limiter;
using kis::sim::token_authority;
using kis::sim::token_check;

constexpr std::int64_t ms = 1'000'000;
constexpr std::int64_t sec = 1'000 * ms;

TEST(SimLimiter, AdmitsExactlyNInAnySlidingSecond) {
  rate_limiter lim{18};
  std::int64_t t = 100 * sec;
  for (int i = 0; i < 18; ++i)
    EXPECT_TRUE(lim.admit(t + i * ms));
  EXPECT_FALSE(lim.admit(t + 500 * ms));
  // The first call leaves the window exactly one second after it was made, not at a bucket edge.
  EXPECT_FALSE(lim.admit(t + sec - 1));
  EXPECT_TRUE(lim.admit(t + sec));
  EXPECT_FALSE(lim.admit(t + sec));
  EXPECT_TRUE(lim.admit(t + sec + 1 * ms));
}

TEST(SimLimiter, NoWindowEverHoldsMoreThanN) {
  rate_limiter lim{5};
  std::vector<std::int64_t> admitted;
  for (std::int64_t t = 0; t < 10 * sec; t += 37 * ms)
    if (lim.admit(t))
      admitted.push_back(t);
  for (std::size_t i = 0; i < admitted.size(); ++i) {
    std::size_t in_window = 0;
    for (auto u : admitted)
      in_window += u > admitted[i] - sec && u <= admitted[i];
    ASSERT_LE(in_window, 5u);
  }
  EXPECT_GE(admitted.size(), 45u); // and it does not starve: 5 a second for 10 s
}

TEST(SimLimiter, PaperIsOneASecond) {
  rate_limiter lim{1};
  EXPECT_TRUE(lim.admit(0));
  EXPECT_FALSE(lim.admit(999 * ms));
  EXPECT_TRUE(lim.admit(1'000 * ms));
}

struct SimTokens : ::testing::Test {
  token_authority auth{kis::sim::token_policy{60s, 6h, 24h, 24h}, "APPKEY", 42};
  std::int64_t t0 = 1'000 * sec;
};

TEST_F(SimTokens, SecondIssueInsideAMinuteIsRefused) {
  auto a = auth.issue(t0);
  ASSERT_EQ(a.what, token_authority::outcome::issued);
  EXPECT_LE(a.token.value.size(), 350u);
  EXPECT_EQ(a.token.value.rfind("eyJ", 0), 0u); // a JWT
  EXPECT_EQ(auth.issue(t0 + 59 * sec).what, token_authority::outcome::too_soon);
}

TEST_F(SimTokens, ReissueWithinSixHoursReturnsTheSameToken) {
  auto a = auth.issue(t0);
  auto b = auth.issue(t0 + 61 * sec);
  ASSERT_EQ(b.what, token_authority::outcome::reused);
  EXPECT_EQ(a.token.value, b.token.value);
  EXPECT_EQ(a.token.expires_ns, b.token.expires_ns);
  auto c = auth.issue(t0 + 6 * 3600 * sec);
  ASSERT_EQ(c.what, token_authority::outcome::issued);
  EXPECT_NE(c.token.value, a.token.value);
  EXPECT_EQ(auth.check(a.token.value, t0 + 6 * 3600 * sec), token_check::ok); // still alive
}

TEST_F(SimTokens, ExpiryRevokeAndForcedExpiry) {
  auto a = auth.issue(t0);
  EXPECT_EQ(auth.check(a.token.value, t0), token_check::ok);
  EXPECT_EQ(auth.check(a.token.value, t0 + 24 * 3600 * sec), token_check::expired);
  EXPECT_EQ(auth.check("nonsense", t0), token_check::invalid);
  auth.expire_all();
  EXPECT_EQ(auth.check(a.token.value, t0), token_check::expired);
  auto b = auth.issue(t0 + 120 * sec); // an expired token is never handed out again
  ASSERT_EQ(b.what, token_authority::outcome::issued);
  EXPECT_TRUE(auth.revoke(b.token.value));
  EXPECT_EQ(auth.check(b.token.value, t0 + 121 * sec), token_check::invalid);
  EXPECT_FALSE(auth.revoke(b.token.value));
}

TEST_F(SimTokens, ApprovalKeysAreRemembered) {
  auto k = auth.issue_approval(t0);
  EXPECT_EQ(k.size(), 36u);
  EXPECT_TRUE(auth.approval_valid(k, t0 + 3600 * sec));
  EXPECT_FALSE(auth.approval_valid(k, t0 + 25 * 3600 * sec));
  EXPECT_FALSE(auth.approval_valid("x", t0));
}

} // namespace
