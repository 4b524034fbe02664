// What the simulator's gateway enforces before any business logic: access tokens (issue
// spacing, 6-hour reuse, expiry, revoke), WebSocket approval keys, and the per-account REST
// budget over a sliding one-second window. Plain C++; the owner serialises access.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>
#include <string_view>

#include "sim/market.hpp"

namespace kis::sim {

// Timestamps in a sliding window (t - width, t]: exact, not bucketed.
class sliding_window {
public:
  explicit sliding_window(std::chrono::nanoseconds width = std::chrono::seconds{1})
      : width_(width.count()) {}
  std::size_t count(std::int64_t now_ns);
  void add(std::int64_t now_ns) { times_.push_back(now_ns); }

private:
  std::int64_t width_;
  std::deque<std::int64_t> times_;
};

// Admits at most `limit` calls in any window of one second.
class rate_limiter {
public:
  explicit rate_limiter(int limit)
      : limit_(static_cast<std::size_t>(limit > 0 ? limit : 1)) {}
  bool admit(std::int64_t now_ns);
  std::size_t limit() const noexcept { return limit_; }

private:
  std::size_t limit_;
  sliding_window admitted_;
};

struct token_policy {
  std::chrono::nanoseconds spacing{std::chrono::seconds{60}};
  std::chrono::nanoseconds reuse{std::chrono::hours{6}};
  std::chrono::nanoseconds lifetime{std::chrono::hours{24}};
  std::chrono::nanoseconds approval_lifetime{std::chrono::hours{24}};
};

struct issued_token {
  std::string value;
  std::int64_t issued_ns = 0;
  std::int64_t expires_ns = 0;
  bool revoked = false;
  bool forced_expired = false;
};

enum class token_check : std::uint8_t { ok, invalid, expired };

class token_authority {
public:
  token_authority(token_policy policy, std::string app_key, std::uint64_t seed);

  enum class outcome : std::uint8_t { issued, reused, too_soon };
  struct issue_result {
    outcome what = outcome::issued;
    issued_token token; // empty when too_soon
  };
  // tokenP: a second answer inside `spacing` is refused; inside `reuse` the current token
  // comes back unchanged; otherwise a new one is minted.
  issue_result issue(std::int64_t now_ns);
  token_check check(std::string_view token, std::int64_t now_ns) const;
  bool revoke(std::string_view token);
  void expire_all() noexcept;
  // Forgets every token (they become unknown: invalid); the issue spacing still counts from
  // the last answer, and the next tokenP mints a new token.
  void forget_all() noexcept;

  std::string issue_approval(std::int64_t now_ns);
  bool approval_valid(std::string_view key, std::int64_t now_ns) const;

  // Every token and approval key handed out so far, for tests that prove none of them leaks.
  std::vector<std::string> issued() const;

private:
  std::string mint_token(std::int64_t now_ns);
  std::string uuid();

  token_policy policy_;
  std::string app_key_;
  rng gen_;
  std::int64_t last_answer_ns_ = 0;
  bool answered_ = false;
  std::string current_; // the token tokenP would reuse
  std::map<std::string, issued_token, std::less<>> tokens_;
  std::map<std::string, std::int64_t, std::less<>> approvals_; // key -> expiry
};

} // namespace kis::sim
