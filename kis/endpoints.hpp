// The declarative table of every KIS REST endpoint the engine uses (KIS-PROTOCOL.md §2, §4).
// Current tr_ids only: none of the deprecated 0801U/0802U/0803U/8001R.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "messages/error_code.hpp"
#include "messages/rest.hpp"

namespace kis::api {

enum class environment : std::uint8_t { real = 0, paper = 1 };

constexpr std::string_view to_string_view(environment e) noexcept {
  return e == environment::real ? "real" : "paper";
}

std::optional<environment> parse_environment(std::string_view s) noexcept;

enum class http_method : std::uint8_t { get, post };

struct endpoint {
  endpoint_id id;
  std::string_view name; // short, for logs and metrics labels
  http_method method;
  std::string_view path;
  std::string_view tr_real;  // empty for OAuth endpoints (no tr_id header)
  std::string_view tr_paper; // empty when paper has no such TR
  permit_class cls;          // default permit class for calls to it
  bool paged;                // tr_cont / CTX_AREA_* continuation
  bool oauth;                // token/approval endpoints: no authorization header
};

// The table, indexed by endpoint_id.
const endpoint& lookup(endpoint_id id) noexcept;

// All endpoints, in endpoint_id order.
std::span<const endpoint> all_endpoints() noexcept;

// The tr_id to send for this environment; nullopt when paper does not support the endpoint.
std::optional<std::string_view> tr_id(const endpoint& ep, environment env) noexcept;

// Reverse lookups for the simulator and for validation.
const endpoint* find_by_path(std::string_view path) noexcept;
const endpoint* find_by_tr_id(std::string_view tr) noexcept;

// Default REST and WebSocket base URLs (KIS-PROTOCOL.md §1).
std::string_view default_rest_url(environment env) noexcept;
std::string_view default_ws_url(environment env) noexcept;

// The per-second REST budget KIS gives an account (FAQ of 2026-04-20): 18 real, 1 paper.
int default_rate_limit(environment env) noexcept;

} // namespace kis::api
