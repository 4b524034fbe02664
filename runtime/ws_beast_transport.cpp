#include "runtime/transports.hpp"

#include <chrono>
#include <utility>

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

#include "kis/ws_client.hpp"

namespace kis {

namespace {

// The Beast client behind the transport interface. Its callbacks run on the client's I/O
// thread and only send messages; a weak handle lets the feed die while a session lives.
class beast_transport final : public ws_transport {
public:
  beast_transport(api::ws_client_options opts, const ws_feed_impl_actor& feed,
                  std::uint64_t session, std::shared_ptr<const ws_tap> tap)
      : tap_(std::move(tap))
      , client_(std::move(opts), callbacks(feed, tap_), session) {}

  void send_text(std::string text) override {
    if (tap_ && tap_->out)
      tap_->out(client_.session(), text);
    client_.send_text(std::move(text));
  }
  void send_pong(std::string payload) override { client_.send_pong(std::move(payload)); }

private:
  static api::ws_client_callbacks callbacks(const ws_feed_impl_actor& feed,
                                            const std::shared_ptr<const ws_tap>& tap) {
    auto weak = caf::actor_cast<caf::weak_actor_ptr>(feed);
    auto to_feed = [weak](auto&&... xs) {
      if (auto strong = weak.lock())
        caf::anon_send(caf::actor_cast<ws_feed_impl_actor>(strong),
                       std::forward<decltype(xs)>(xs)...);
    };
    return {[to_feed, tap](std::uint64_t s) {
              if (tap && tap->link)
                tap->link(s, "up");
              to_feed(link_up_atom_v, s);
            },
            [to_feed, tap](std::uint64_t s, std::string text) {
              if (tap && tap->in)
                tap->in(s, text);
              to_feed(frame_atom_v, s, std::move(text));
            },
            [to_feed, tap](std::uint64_t s, std::string why) {
              if (tap && tap->link)
                tap->link(s, "down: " + why);
              to_feed(link_down_atom_v, s, std::move(why));
            }};
  }

  std::shared_ptr<const ws_tap> tap_;
  api::ws_client client_;
};

} // namespace

ws_transport_factory beast_transport_factory(const ws_feed_config& cfg, ws_tap tap) {
  auto target = api::parse_ws_url(cfg.url);
  api::ws_client_options opts;
  if (target)
    opts.target = *target;
  opts.connect_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(cfg.connect_timeout);
  auto shared = (tap.in || tap.out || tap.link) ? std::make_shared<const ws_tap>(std::move(tap))
                                                : std::shared_ptr<const ws_tap>{};
  return [opts, shared](const ws_feed_impl_actor& feed, std::uint64_t session) {
    return std::make_unique<beast_transport>(opts, feed, session, shared);
  };
}

} // namespace kis
