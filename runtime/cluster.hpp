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

// Public handles only: a node can name no internal message of these roles, and the gateway
// part it gets answers market data (a node's orders go through the executor).
struct published_services {
  market_data_actor gateway;
  ws_feed_actor feed; // null when the feed is disabled
  order_executor_actor executor;
  std::string mode; // sim, paper, live
  std::uint32_t rate_limit = 0;
};

// Loads CAF's middleman, and its OpenSSL module with this node's certificate, key and CA when
// the cluster section names them (validate_cluster has checked them); call before the
// actor_system is built, and only when serving or connecting (it costs two threads).
void load_middleman(caf::actor_system_config& cfg, const cluster_section& cluster);

core_directory_actor spawn_core_directory(caf::actor_system& sys, published_services services);

// Publishes the directory on cluster.bind ("" = every interface) and cluster.serve_port (0 =
// ephemeral): over mutual TLS when cluster.tls(), plain CAF otherwise (loopback only, see
// validate_cluster). Returns the bound port.
caf::expected<std::uint16_t> publish_directory(caf::actor_system& sys, core_directory_actor dir,
                                               const cluster_section& cluster);

// Stops accepting nodes on port (the published directory keeps running until it is stopped).
void unpublish_directory(const core_directory_actor& dir, std::uint16_t port,
                         const cluster_section& cluster);

// "host:port" (port 1-65535).
std::optional<std::pair<std::string, std::uint16_t>> parse_host_port(std::string_view text);

// `kis-engine node`: connects to the core at `core` (host:port; over TLS with cfg's [cluster]
// tls_ files, which a core on another machine requires), runs the analyzers and strategy
// hosts of cfg ([analyzers] symbols and [[strategy]] tables; no default strategies) against the
// core's services until cfg.duration is over, a signal arrives or the core goes away, and prints
// a summary. Returns the process exit code: 0 after the duration or a signal, and after the core
// shut down in order; 1 when the core could not be reached (a refused certificate included)
// or the link to it was lost; 2 for a config error.
int run_node(const engine_config& cfg, const std::string& core);

} // namespace kis::runtime
