// Beast and asio only; no CAF here (see the header for the threading story).
#include "runtime/metrics_http.hpp"

#include <atomic>
#include <chrono>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "runtime/console_page.hpp"
#include "runtime/exposition.hpp"

namespace kis {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

using snapshot_ptr = std::shared_ptr<const metrics_snapshot>;

http::response<http::string_body> answer(const http::request<http::string_body>& req,
                                         const metrics_snapshot& snap) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::server, "kis-engine");
  res.keep_alive(req.keep_alive());
  auto target = req.target();
  if (auto q = target.find('?'); q != std::string_view::npos)
    target = target.substr(0, q);
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    res.result(http::status::method_not_allowed);
    res.set(http::field::allow, "GET, HEAD");
    res.set(http::field::content_type, "text/plain");
    res.body() = "only GET and HEAD\n";
  } else if (target == "/metrics") {
    res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.body() = to_prometheus(snap);
  } else if (target == "/metrics.json") {
    res.set(http::field::content_type, "application/json");
    res.set(http::field::cache_control, "no-store");
    res.body() = to_json(snap);
  } else if (target == "/" || target == "/index.html") {
    res.set(http::field::content_type, "text/html; charset=utf-8");
    res.body() = std::string{console_page()};
  } else {
    res.result(http::status::not_found);
    res.set(http::field::content_type, "text/plain");
    res.body() = "try / (the console), /metrics or /metrics.json\n";
  }
  res.prepare_payload();
  if (req.method() == http::verb::head)
    res.body().clear(); // Content-Length stays that of the GET answer
  return res;
}

// One connection: read a request, answer, repeat while the client keeps it alive.
class session : public std::enable_shared_from_this<session> {
public:
  session(tcp::socket socket, const std::atomic<snapshot_ptr>& latest)
      : stream_(std::move(socket))
      , latest_(latest) {}

  void read() {
    req_ = {};
    stream_.expires_after(std::chrono::seconds{10});
    http::async_read(stream_, buffer_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec)
                         self->respond();
                       else
                         self->close();
                     });
  }

private:
  void respond() {
    static const metrics_snapshot empty{};
    auto snap = latest_.load();
    res_ = answer(req_, snap ? *snap : empty);
    http::async_write(stream_, res_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (!ec && self->res_.keep_alive())
                          self->read();
                        else
                          self->close();
                      });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  const std::atomic<snapshot_ptr>& latest_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

} // namespace

struct metrics_server::impl {
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::atomic<snapshot_ptr> latest;
  std::thread thread;
  std::uint16_t port = 0;

  void accept() {
    acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket s) {
      if (ec)
        return; // closed on stop()
      std::make_shared<session>(std::move(s), latest)->read();
      accept();
    });
  }
};

metrics_server::metrics_server(std::uint16_t port)
    : impl_(std::make_unique<impl>()) {
  tcp::endpoint ep{asio::ip::make_address("127.0.0.1"), port};
  auto& acc = impl_->acceptor;
  acc.open(ep.protocol());
  acc.set_option(asio::socket_base::reuse_address(true));
  acc.bind(ep);
  acc.listen(asio::socket_base::max_listen_connections);
  impl_->port = acc.local_endpoint().port();
  impl_->accept();
  impl_->thread = std::thread{[this] { impl_->io.run(); }};
}

metrics_server::~metrics_server() {
  stop();
}

std::uint16_t metrics_server::port() const noexcept {
  return impl_->port;
}

std::string metrics_server::url() const {
  return "http://127.0.0.1:" + std::to_string(port());
}

void metrics_server::update(std::shared_ptr<const metrics_snapshot> snap) {
  impl_->latest.store(std::move(snap));
}

std::shared_ptr<const metrics_snapshot> metrics_server::latest() const {
  return impl_->latest.load();
}

void metrics_server::stop() {
  if (!impl_->thread.joinable())
    return;
  // Stopping the context drops open sessions too; a scraper simply retries.
  impl_->io.stop();
  impl_->thread.join();
}

} // namespace kis
