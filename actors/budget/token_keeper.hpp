// The token keeper: one per app key and environment. It owns the OAuth access token and the
// WebSocket approval key, issues each at most once at a time however many actors ask, keeps
// the token in a cache file shared by every process of the key, refreshes it ahead of expiry
// and never asks KIS for a token twice within a minute (EGW00133, and each issue pings the
// account holder's phone).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "kis/clock.hpp"
#include "kis/endpoints.hpp"
#include "messages/interfaces.hpp"

namespace kis {

// Sends one OAuth request (endpoint_id::token_issue or endpoint_id::approval_key) and hands the
// raw exchange to `done`, from any thread. The REST gateway's transport provides the real one
// (make_oauth_issuer in rest_gateway.hpp); tests inject a fake.
using oauth_done = std::function<void(http_exchange)>;
using oauth_issue_fn = std::function<void(endpoint_id, oauth_done)>;

struct token_keeper_config {
  api::environment env = api::environment::real;
  std::string app_key;             // only its SHA-256 is used, to name the cache file
  std::filesystem::path cache_dir; // empty: no cache file
  std::shared_ptr<const wall_clock> clock = default_wall_clock(); // expiry is KST wall clock
  std::chrono::seconds refresh_ahead{600};     // re-issue this long before expiry
  std::chrono::seconds expiry_guard{30};       // never hand out a token closer to expiry
  std::chrono::seconds min_issue_interval{60}; // KIS: one token issue a minute per app key
};

token_keeper_actor spawn_token_keeper(caf::actor_system& sys, token_keeper_config cfg,
                                      oauth_issue_fn issue);

} // namespace kis
