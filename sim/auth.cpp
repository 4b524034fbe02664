#include "sim/auth.hpp"

#include <cstdio>

namespace kis::sim {

namespace {

std::string base64url(std::string_view in) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0)
    out.push_back(alphabet[(acc << (6 - bits)) & 0x3f]);
  return out; // JWT segments carry no padding
}

} // namespace

std::size_t sliding_window::count(std::int64_t now_ns) {
  while (!times_.empty() && times_.front() <= now_ns - width_)
    times_.pop_front();
  return times_.size();
}

bool rate_limiter::admit(std::int64_t now_ns) {
  if (admitted_.count(now_ns) >= limit_)
    return false;
  admitted_.add(now_ns);
  return true;
}

token_authority::token_authority(token_policy policy, std::string app_key, std::uint64_t seed)
    : policy_(policy)
    , app_key_(std::move(app_key))
    , gen_(seed ^ 0x70c3e5ull) {}

std::string token_authority::uuid() {
  auto a = gen_.next(), b = gen_.next();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff),
                static_cast<unsigned>(0x4000 | (a & 0x0fff)),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffull));
  return buf;
}

// Shaped like KIS's JWT (HS512 header; sub/aud/iss/exp/iat/jti claims, jti = app key), with a
// random signature: clients must treat it as opaque, exactly as with the real one.
std::string token_authority::mint_token(std::int64_t now_ns) {
  const auto iat = now_ns / 1'000'000'000;
  const auto exp = (now_ns + policy_.lifetime.count()) / 1'000'000'000;
  auto claims = "{\"sub\":\"token\",\"aud\":\"" + uuid() +
                "\",\"prdt_cd\":\"\",\"iss\":\"unogw\","
                "\"exp\":" +
                std::to_string(exp) + ",\"iat\":" + std::to_string(iat) + ",\"jti\":\"" + app_key_ +
                "\"}";
  std::string sig;
  for (int i = 0; i < 8; ++i) {
    auto r = gen_.next();
    for (int j = 0; j < 8; ++j)
      sig.push_back(static_cast<char>((r >> (8 * j)) & 0xff));
  }
  return "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzUxMiJ9." + base64url(claims) + "." + base64url(sig);
}

token_authority::issue_result token_authority::issue(std::int64_t now_ns) {
  if (answered_ && now_ns - last_answer_ns_ < policy_.spacing.count())
    return {outcome::too_soon, {}};
  answered_ = true;
  last_answer_ns_ = now_ns;
  if (auto it = tokens_.find(current_); it != tokens_.end()) {
    const auto& t = it->second;
    if (!t.revoked && !t.forced_expired && now_ns < t.expires_ns &&
        now_ns - t.issued_ns < policy_.reuse.count())
      return {outcome::reused, t};
  }
  issued_token t{mint_token(now_ns), now_ns, now_ns + policy_.lifetime.count(), false, false};
  current_ = t.value;
  tokens_.emplace(t.value, t);
  return {outcome::issued, t};
}

token_check token_authority::check(std::string_view token, std::int64_t now_ns) const {
  auto it = tokens_.find(token);
  if (it == tokens_.end() || it->second.revoked)
    return token_check::invalid;
  if (it->second.forced_expired || now_ns >= it->second.expires_ns)
    return token_check::expired;
  return token_check::ok;
}

bool token_authority::revoke(std::string_view token) {
  auto it = tokens_.find(token);
  if (it == tokens_.end() || it->second.revoked)
    return false;
  it->second.revoked = true;
  return true;
}

void token_authority::expire_all() noexcept {
  for (auto& [value, t] : tokens_)
    t.forced_expired = true;
}

void token_authority::forget_all() noexcept {
  tokens_.clear();
  current_.clear();
}

std::string token_authority::issue_approval(std::int64_t now_ns) {
  auto key = uuid();
  approvals_.emplace(key, now_ns + policy_.approval_lifetime.count());
  return key;
}

bool token_authority::approval_valid(std::string_view key, std::int64_t now_ns) const {
  auto it = approvals_.find(key);
  return it != approvals_.end() && now_ns < it->second;
}

std::vector<std::string> token_authority::issued() const {
  std::vector<std::string> out;
  for (const auto& [value, t] : tokens_)
    out.push_back(value);
  for (const auto& [key, expiry] : approvals_)
    out.push_back(key);
  return out;
}

} // namespace kis::sim
