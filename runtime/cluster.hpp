// Distribution through CAF's own middleman (DESIGN.md, last rule). One core node (`kis-engine
// run --serve-port N`) owns what exists once per app key -- the rate governor, the token keeper,
// the rest_gateway in front of them, the ws_feed and the order executor -- and publishes one
// typed directory actor; any number of analyzer/strategy nodes (`kis-engine node --core
// HOST:PORT`) look the services up through it, run their own analyzers and strategy hosts, and
// send every REST call through the core's gateway, so the core's governor is the one global
// budget and the core's executor the one journal and risk book.
//
// Why one directory rather than one published port per service: a node needs all three handles
// at once and from the same core, one port is one thing to configure and to open in a firewall,
// and one typed remote_actor checks the whole contract (a node built from another revision is
// refused with unexpected_actor_messaging_interface before anything runs). The handles travel
// inside the directory's answer as ordinary remote actor handles (registered in
// messages/registry.hpp), and the middleman reuses the one connection for them.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "messages/interfaces.hpp"
#include "runtime/config.hpp"

namespace kis::runtime {

struct published_services {
  rest_gateway_actor gateway;
  ws_feed_actor feed; // null when the feed is disabled
  order_executor_actor executor;
  std::string mode; // sim, paper, live
  std::uint32_t rate_limit = 0;
};

// Loads CAF's middleman; call before the actor_system is built, and only when serving or
// connecting (it costs two threads).
void load_middleman(caf::actor_system_config& cfg);

core_directory_actor spawn_core_directory(caf::actor_system& sys, published_services services);

// caf::io::publish on bind ("" = every interface); port 0 = ephemeral. Returns the bound port.
caf::expected<std::uint16_t> publish_directory(caf::actor_system& sys, core_directory_actor dir,
                                               std::uint16_t port, const std::string& bind);

// "host:port" (port 1-65535).
std::optional<std::pair<std::string, std::uint16_t>> parse_host_port(std::string_view text);

// `kis-engine node`: connects to the core at `core` (host:port), runs the analyzers and strategy
// hosts of cfg ([analyzers] symbols and [[strategy]] tables; no default strategies) against the
// core's services until cfg.duration is over, a signal arrives or the core goes away, and prints
// a summary. Returns the process exit code: 0 after the duration or a signal, and after the core
// shut down in order; 1 when the core could not be reached or the link to it was lost.
int run_node(const engine_config& cfg, const std::string& core);

} // namespace kis::runtime
