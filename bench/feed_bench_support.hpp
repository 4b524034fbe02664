// What the feed benchmarks need around ws_feed: a transport that sends nowhere, a token
// keeper that answers at once, and a feed spawned over both.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>

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

// A ws_feed over a null_transport and an instant_keeper, handed back once its first session
// has connected.
struct null_feed {
  token_keeper_actor keeper;
  ws_feed_impl_actor feed;

  void stop() const {
    caf::anon_send_exit(feed, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(keeper, caf::exit_reason::user_shutdown);
  }
};

inline null_feed spawn_null_feed(caf::actor_system& sys, ws_feed_config fc) {
  auto connected = std::make_shared<std::atomic<bool>>(false);
  fc.transport = [connected](const ws_feed_impl_actor&, std::uint64_t) {
    connected->store(true);
    return std::make_unique<null_transport>();
  };
  null_feed out;
  out.keeper = sys.spawn(instant_keeper);
  out.feed = spawn_ws_feed(sys, std::move(fc), out.keeper);
  while (!connected->load())
    std::this_thread::yield();
  return out;
}

} // namespace kis::bench
