// A tiny HTTP/1.1 responder on 127.0.0.1 for transport tests: POSIX sockets, one thread per
// connection, keep-alive by default. It records every request and counts connections, so a
// test can prove connection reuse.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace kis::test {

struct seen_request {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers; // names in lower case
  std::vector<std::string> header_order;      // as sent, lower case
  std::string body;
};

inline std::string http_response(int status, const std::string& body,
                                 const std::string& extra_headers = {}) {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\n" + extra_headers + "\r\n" + body;
}

class loopback_server {
public:
  // Returns the raw response; an empty string means "never answer" (the client times out).
  using handler = std::function<std::string(const seen_request&)>;
  // For answers written piece by piece (huge or slow ones): write returns false once the client
  // has gone or the server stops, and the handler should return then.
  using writer = std::function<bool(std::string_view)>;
  using stream_handler = std::function<void(const seen_request&, const writer&)>;

  explicit loopback_server(handler h)
      : loopback_server(std::move(h), stream_handler{}) {}
  explicit loopback_server(stream_handler h)
      : loopback_server(handler{}, std::move(h)) {}

  loopback_server(handler h, stream_handler s)
      : handler_(std::move(h))
      , stream_(std::move(s)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 64) != 0)
      throw std::runtime_error("loopback_server: bind/listen failed");
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~loopback_server() {
    stop_ = true;
    acceptor_.join();
    {
      std::lock_guard guard{mtx_};
      for (int fd : open_fds_)
        ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : workers_)
      t.join();
    ::close(listen_fd_);
  }

  std::uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_.load(); }
  std::vector<seen_request> requests() const {
    std::lock_guard guard{mtx_};
    return requests_;
  }

private:
  void accept_loop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0)
        continue;
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0)
        continue;
      ++connections_;
      std::lock_guard guard{mtx_};
      open_fds_.push_back(fd);
      workers_.emplace_back([this, fd] { serve(fd); });
    }
  }

  void serve(int fd) {
    std::string buf;
    char chunk[4096];
    for (;;) {
      auto head_end = buf.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        seen_request req = parse_head(buf.substr(0, head_end));
        std::size_t length = 0;
        if (auto it = req.headers.find("content-length"); it != req.headers.end())
          length = std::stoul(it->second);
        if (buf.size() >= head_end + 4 + length) {
          req.body = buf.substr(head_end + 4, length);
          buf.erase(0, head_end + 4 + length);
          {
            std::lock_guard guard{mtx_};
            requests_.push_back(req);
          }
          if (stream_) {
            stream_(req, [this, fd](std::string_view piece) {
              return !stop_ && ::send(fd, piece.data(), piece.size(), MSG_NOSIGNAL) ==
                                   static_cast<ssize_t>(piece.size());
            });
            continue;
          }
          auto response = handler_(req);
          if (!response.empty())
            ::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
          continue; // keep-alive: wait for the next request (or the client's close)
        }
      }
      auto n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0)
        break;
      buf.append(chunk, static_cast<std::size_t>(n));
    }
    std::lock_guard guard{mtx_};
    open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
    ::close(fd);
  }

  static seen_request parse_head(const std::string& head) {
    seen_request r;
    std::size_t pos = head.find("\r\n");
    auto first = head.substr(0, pos);
    auto sp1 = first.find(' ');
    auto sp2 = first.find(' ', sp1 + 1);
    r.method = first.substr(0, sp1);
    r.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
    while (pos != std::string::npos && pos + 2 < head.size()) {
      auto next = head.find("\r\n", pos + 2);
      auto line =
          head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      auto colon = line.find(':');
      if (colon != std::string::npos) {
        auto name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        auto value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        r.headers[name] = value;
        r.header_order.push_back(name);
      }
      pos = next;
    }
    return r;
  }

  handler handler_;
  stream_handler stream_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  mutable std::mutex mtx_;
  std::vector<std::thread> workers_;
  std::vector<int> open_fds_;
  std::vector<seen_request> requests_;
};

} // namespace kis::test
