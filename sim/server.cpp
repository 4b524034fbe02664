// The sockets of kis-sim: Boost.Beast HTTP/1.1 (keep-alive) on 127.0.0.1 in front of the
// gateway, and the WebSocket server on the same io thread. The simulator's only Beast HTTP TU.
#include "sim/server.hpp"

#include <algorithm>
#include <cctype>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "sim/gateway.hpp"

namespace kis::sim {

using namespace std::chrono_literals;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

class http_session;

// What sessions need from the server, on the io thread.
struct session_host {
  gateway& gw;
  std::map<http_session*, std::weak_ptr<http_session>> live;
  std::vector<std::shared_ptr<http_session>> hung; // kept open, never answered, until stop
};

class http_session : public std::enable_shared_from_this<http_session> {
public:
  http_session(tcp::socket socket, session_host& host)
      : stream_(std::move(socket))
      , host_(host)
      , timer_(stream_.get_executor()) {}

  void start() {
    host_.live.emplace(this, weak_from_this());
    read();
  }

  void close() {
    boost::system::error_code ignored;
    timer_.cancel();
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  ~http_session() { host_.live.erase(this); }

private:
  void read() {
    parser_.emplace();
    parser_->body_limit(1 << 20);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted)
      return close();
    if (ec) // a request Beast could not parse still gets an answer in KIS's words
      return answer_malformed();
    const auto& req = parser_->get();
    http_request in;
    in.method = std::string{req.method_string()};
    in.target = std::string{req.target()};
    for (const auto& f : req) {
      std::string name{f.name_string()};
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      in.headers[std::move(name)] = std::string{f.value()};
    }
    in.body = req.body();
    keep_alive_ = req.keep_alive();
    version_ = req.version();

    auto out = host_.gw.handle(in);
    if (out.hang) {
      host_.hung.push_back(shared_from_this());
      return;
    }
    if (out.delay.count() > 0) {
      timer_.expires_after(out.delay);
      timer_.async_wait([self = shared_from_this(), out = std::move(out)](beast::error_code e) {
        if (!e)
          self->write(out);
      });
      return;
    }
    write(out);
  }

  void answer_malformed() {
    http_response r;
    r.status = 400;
    r.headers.emplace_back("content-type", "application/json; charset=UTF-8");
    r.body = R"({"rt_cd":"1","msg_cd":"EGW00101","msg1":"유효하지 않은 요청입니다."})";
    keep_alive_ = false;
    write(r);
  }

  void write(const http_response& out) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(out.status), version_ == 0 ? 11 : version_);
    for (const auto& [name, value] : out.headers)
      res->set(name, value);
    res->keep_alive(keep_alive_);
    res->body() = out.body;
    res->prepare_payload();
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                        if (ec || !self->keep_alive_)
                          return self->close();
                        self->read();
                      });
  }

  beast::tcp_stream stream_;
  session_host& host_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
};

} // namespace

struct server::impl {
  explicit impl(options o)
      : opts(std::move(o))
      , gw(opts)
      , host{gw, {}, {}}
      , acceptor(ioc)
      , ticker(ioc) {}

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec)
        return; // closed by stop()
      std::make_shared<http_session>(std::move(socket), host)->start();
      accept();
    });
  }

  // Resting orders meet new trades even when nobody asks, so notices arrive on time.
  void tick() {
    ticker.expires_after(std::max<std::chrono::milliseconds>(opts.market_step, 20ms));
    ticker.async_wait([this](beast::error_code ec) {
      if (ec)
        return;
      gw.tick();
      tick();
    });
  }

  void close_http() {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    ticker.cancel();
    for (auto& [ptr, weak] : host.live)
      if (auto s = weak.lock())
        s->close();
    host.hung.clear();
  }

  options opts;
  gateway gw; // outlives the io_context below: pending handlers may still point at it
  session_host host;
  net::io_context ioc;
  tcp::acceptor acceptor;
  net::steady_timer ticker;
  std::mutex ws_mu; // ws may be reset by stop() while the io thread publishes notices
  std::unique_ptr<ws_server> ws;
  std::thread io;
  bool running = false;
  std::uint16_t rest_port = 0, ws_port = 0;
};

server::server(options opts)
    : impl_(std::make_unique<impl>(std::move(opts))) {}

server::~server() {
  stop();
}

void server::start() {
  auto& d = *impl_;
  if (d.running)
    return;
  const auto loopback = net::ip::make_address("127.0.0.1");
  tcp::endpoint ep{loopback, d.opts.rest_port};
  d.acceptor.open(ep.protocol());
  d.acceptor.set_option(tcp::acceptor::reuse_address(true));
  d.acceptor.bind(ep);
  d.acceptor.listen();
  d.rest_port = d.acceptor.local_endpoint().port();

  auto wo = d.opts.ws;
  wo.port = d.opts.ws_port;
  wo.env = d.opts.env;
  wo.hts_id = d.opts.cred.hts_id;
  wo.app_of = [gw = &d.gw](std::string_view key) { return gw->approval_owner(key); };
  wo.clock = d.gw.market_clock(); // PINGPONG's datetime is the market's time
  wo.seed = d.opts.seed;
  {
    std::lock_guard lock{d.ws_mu};
    d.ws = std::make_unique<ws_server>(d.ioc, d.gw, std::move(wo));
    d.ws_port = d.ws->port();
  }
  d.gw.notice_sink = [&d](const kis::execution_notice& n) {
    std::lock_guard lock{d.ws_mu};
    if (d.ws)
      d.ws->publish_notice(n);
  };
  d.accept();
  d.tick();
  d.running = true;
  d.io = std::thread{[&d] { d.ioc.run(); }};
}

void server::stop() {
  auto& d = *impl_;
  if (!d.running)
    return;
  d.running = false;
  std::promise<void> closed;
  net::post(d.ioc, [&d, &closed] {
    d.close_http();
    closed.set_value();
  });
  closed.get_future().wait();
  std::unique_ptr<ws_server> ws;
  {
    std::lock_guard lock{d.ws_mu};
    ws = std::move(d.ws);
  }
  ws.reset(); // closes its sessions on the io thread
  d.ioc.stop();
  d.io.join();
}

std::uint16_t server::rest_port() const {
  return impl_->rest_port;
}

std::uint16_t server::ws_port() const {
  return impl_->ws_port;
}

std::string server::rest_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->rest_port);
}

std::string server::ws_url() const {
  return "ws://127.0.0.1:" + std::to_string(impl_->ws_port);
}

const options& server::config() const {
  return impl_->opts;
}

sim::stats server::stats() const {
  return impl_->gw.stats();
}

ws_stats server::realtime_stats() const {
  std::lock_guard lock{impl_->ws_mu};
  return impl_->ws ? impl_->ws->stats() : ws_stats{};
}

std::vector<order_log_entry> server::orders() const {
  return impl_->gw.orders();
}

void server::set_faults(const faults& f) {
  impl_->gw.set_faults(f);
}

void server::hang_next(std::string tr_id, int count, bool execute) {
  impl_->gw.hang_next(std::move(tr_id), count, execute);
}

void server::expire_tokens() {
  impl_->gw.expire_tokens();
}

void server::forget_tokens() {
  impl_->gw.forget_tokens();
}

std::vector<std::int64_t> server::call_arrivals() const {
  return impl_->gw.call_arrivals();
}

std::vector<std::string> server::issued_secrets() const {
  return impl_->gw.issued_secrets();
}

void server::drop_ws_sessions() {
  std::lock_guard lock{impl_->ws_mu};
  if (impl_->ws)
    impl_->ws->drop_sessions();
}

std::shared_ptr<const wall_clock> server::market_clock() const {
  return impl_->gw.market_clock();
}

void server::step_market(std::int64_t steps) {
  impl_->gw.step_market(steps);
}

kis::quote server::quote(std::string_view symbol) const {
  return impl_->gw.quote(symbol);
}

std::vector<std::string> server::symbols() const {
  return impl_->gw.symbols();
}

std::int64_t server::cash() const {
  return impl_->gw.cash();
}

std::vector<kis::holding> server::holdings() const {
  return impl_->gw.holdings();
}

} // namespace kis::sim
