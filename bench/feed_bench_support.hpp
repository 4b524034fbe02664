// What the feed benchmarks need around ws_feed: a transport that sends nowhere and a token
// keeper that answers at once.
#pragma once

#include <string>

#include "actors/feed/ws_feed.hpp"

namespace kis::bench {

struct null_transport final : ws_transport {
  void send_text(std::string) override {}
  void send_pong(std::string) override {}
};

inline token_keeper_actor::behavior_type instant_keeper() {
  return {
      [](token_atom) { return access_token{}; },
      [](approval_atom) {
        return approval_key{"k", 0, 0};
      },
      [](invalid_atom, const std::string&) { return access_token{}; },
      [](refresh_atom) { return access_token{}; },
      [](info_atom) { return token_info{}; },
      [](approval_atom, refresh_atom) {
        return approval_key{"k", 0, 0};
      },
      [](refresh_atom, std::uint64_t) {},
      [](done_atom, const http_exchange&) {},
      [](publish_atom) {},
  };
}

} // namespace kis::bench
