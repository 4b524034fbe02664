// ws_feed: the one WebSocket session of an app key (DESIGN.md). Registrations under the
// 41 cap, PINGPONG, watchdog, reconnect with resubscribe, notice decryption, fan-out.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <caf/fwd.hpp>
#include <caf/timespan.hpp>

#include "actors/feed/slot_ranker.hpp"
#include "kis/clock.hpp"
#include "kis/sessions.hpp"
#include "messages/interfaces.hpp"

namespace kis {

// One WebSocket session as the feed sees it. The real one wraps kis::api::ws_client; tests inject
// a fake. An implementation reports to the feed with link_up_atom, frame_atom and link_down_atom,
// each carrying the session id it was created with (so stale sessions are ignored). Destroying
// it ends the session.
class ws_transport {
public:
  virtual ~ws_transport() = default;
  virtual void send_text(std::string text) = 0;
  virtual void send_pong(std::string payload) = 0; // a WebSocket pong control frame
};

using ws_transport_factory = std::function<std::unique_ptr<ws_transport>(
    const ws_feed_impl_actor& feed, std::uint64_t session)>;

struct ws_feed_config {
  std::string url = "ws://127.0.0.1:21000"; // "ws://host:port[/path]"; path defaults to /tryitout
  std::string custtype = "P";
  bool paper = false;             // notices on H0STCNI9 instead of H0STCNI0
  std::uint32_t slots_cap = 41;   // registrations per session, all TRs together
  std::uint32_t notice_slots = 1; // pinned for execution notices; market data gets the rest
  std::uint32_t window = 64;      // unacknowledged events per market subscriber
  caf::timespan tick_interval = std::chrono::seconds{1}; // watchdog / reconnect resolution
  caf::timespan connect_timeout = std::chrono::seconds{5};
  caf::timespan silence_timeout = std::chrono::seconds{120}; // no data and no ping: reconnect
  caf::timespan approval_timeout = std::chrono::seconds{10};
  caf::timespan backoff_min = std::chrono::milliseconds{500};
  caf::timespan backoff_max = std::chrono::seconds{30};
  std::uint64_t seed = 1; // reconnect jitter
  // Slots that follow interest: every rerank_interval the slot_ranker decides which wanted
  // symbols hold market-data registrations; a symbol refused for lack of room waits for one
  // (its subscriber polls it meanwhile) and one that loses its slot is told so and polled.
  // 0 = no re-ranking: the first subscribers keep the slots.
  caf::timespan rerank_interval{0};
  slot_ranker_config ranking;
  caf::timespan release_timeout = std::chrono::seconds{5}; // an unanswered unsubscribe frees
  // Calendar date for order-book records before the first trade of the day names it.
  std::shared_ptr<const wall_clock> clock = default_wall_clock();
  // Quiet when closed (#14): while none of `venues` is open or opening within wake_before
  // (on `clock`), market-data registrations are released and their subscribers wait; they are
  // registered again wake_before the next open. Notices stay registered. Null: always open.
  std::shared_ptr<const sessions::calendar> calendar;
  std::vector<venue> venues{venue::krx, venue::nxt};
  std::chrono::milliseconds wake_before{60000};
  ws_transport_factory transport; // required: runtime/ injects the Beast client, tests a fake
};

// The feed asks `keeper` for the approval key when it (re)connects, never per registration.
ws_feed_impl_actor spawn_ws_feed(caf::actor_system& sys, ws_feed_config cfg,
                                 token_keeper_actor keeper);

} // namespace kis
