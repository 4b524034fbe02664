// The Beast plumbing of kis-sim's WebSocket side. All state lives on one strand; the wire
// format is in frames.cpp. The only TU of the simulator's real-time side that includes Beast.
#include "sim/ws_server.hpp"

#include <algorithm>
#include <deque>
#include <future>
#include <mutex>
#include <random>
#include <set>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>

#include "sim/frames.hpp"

namespace kis::sim {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using strand_type = net::strand<net::io_context::executor_type>;

class ws_session;

// The iv/key that a session's ack for one tr_id carried.
struct ws_keys {
  std::string iv;  // 16 chars
  std::string key; // 32 chars
};

namespace {

bool same_levels(const std::vector<book_level>& a, const std::vector<book_level>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.price == y.price && x.qty == y.qty;
  });
}

// Whether a snapshot says anything new (the time alone does not count).
bool same_book(const order_book& a, const order_book& b) {
  return a.hour_class == b.hour_class && same_levels(a.asks, b.asks) &&
         same_levels(a.bids, b.bids) && a.total_ask_qty == b.total_ask_qty &&
         a.total_bid_qty == b.total_bid_qty && a.expected_price == b.expected_price &&
         a.expected_qty == b.expected_qty && a.acc_volume == b.acc_volume;
}

} // namespace

// The server's state and protocol logic. Shared with the sessions and the pending handlers,
// so it outlives ws_server until the last handler has run.
class ws_server::impl : public std::enable_shared_from_this<impl> {
public:
  impl(net::io_context& ioc, realtime_source& source, ws_options opts);

  void start();
  void close_from_owner();

  // Called by sessions, on the strand.
  void attach(const std::shared_ptr<ws_session>& s);
  void detach(ws_session& s);
  void on_text(ws_session& s, std::string_view text);
  void on_answer(ws_session& s);
  void count_sent(std::uint64_t records);

  void publish(execution_notice n);
  void drop_all();
  ws_stats snapshot() const {
    std::lock_guard lock{stats_mu_};
    return stats_;
  }

  net::io_context& ioc_;
  strand_type strand_;
  ws_options opts_;
  std::uint16_t port_ = 0;

private:
  void shutdown();
  void accept_next();
  void arm(net::steady_timer& t, std::chrono::milliseconds every, void (impl::*tick)());
  void push_tick();
  void ping_tick();
  void drop_tick() { drop_all(); }

  void handle(ws_session& s, const frames::request& q);
  void refuse(ws_session& s, const frames::opsp& why, std::string_view tr_id,
              std::string_view tr_key);
  const ws_keys& keys_for(ws_session& s, const std::string& tr_id);
  // (tr_id, symbol): a registration's TR and key, the unit of fan-out.
  using feed_key = std::pair<std::string, std::string>;
  void send_book(const feed_key& what, market_code m, const std::vector<ws_session*>& to,
                 bool only_if_new);
  void send_trades(const feed_key& what, market_code m, const std::vector<ws_session*>& to);
  void drop(ws_session& s);
  std::string_view notice_tr() const {
    return opts_.env == api::environment::real ? frames::tr_notice_real : frames::tr_notice_paper;
  }
  template <class F>
  void count(F&& f) {
    std::lock_guard lock{stats_mu_};
    f(stats_);
  }

  realtime_source& source_;
  tcp::acceptor acceptor_;
  net::steady_timer push_timer_, ping_timer_, drop_timer_;
  std::mt19937_64 rng_;
  std::vector<std::shared_ptr<ws_session>> sessions_;
  std::map<std::string, ws_session*, std::less<>> app_owner_; // app key id -> its one ws_session
  std::map<feed_key, frames::trade_tape> tapes_;
  std::map<feed_key, order_book> last_books_;

  // Held while calling into the source or accept_key, so the owner can cut us off safely.
  std::mutex life_mu_;
  bool closed_ = false;

  mutable std::mutex stats_mu_;
  ws_stats stats_;
};

// One client connection: handshake, a read loop and a write queue, all on the server's strand.
class ws_session : public std::enable_shared_from_this<ws_session> {
public:
  ws_session(tcp::socket&& socket, std::shared_ptr<ws_server::impl> server)
      : ws_(std::move(socket))
      , server_(std::move(server)) {}

  void start() {
    beast::error_code ignored; // small control replies must not wait for Nagle
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay{true}, ignored);
    ws_.set_option(websocket::stream_base::timeout{std::chrono::seconds{10},
                                                   websocket::stream_base::none(), false});
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "kis-sim"); }));
    ws_.read_message_max(64 * 1024);
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::pong)
        server_->on_answer(*this);
    });
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->ws_.text(true);
      self->server_->attach(self);
      self->read();
    });
  }

  void send(std::string frame) {
    if (closing_ || finish_)
      return;
    if (queue_.size() >= server_->opts_.max_queued_frames) {
      too_slow = true;
      return;
    }
    queue_.push_back(std::move(frame));
    if (queue_.size() == 1)
      write();
  }

  // Sends what is queued, then closes the WebSocket; nothing more is queued after this.
  void close_after_flush() {
    if (closing_)
      return;
    finish_ = true;
    if (queue_.empty())
      close_now();
  }

  // Cuts the TCP connection; the pending read then fails and detaches the session.
  void cut() {
    if (closing_)
      return;
    closing_ = true;
    // The queue stays: a write in flight still refers to its front.
    beast::get_lowest_layer(ws_).close();
  }

  std::string app; // the app key id, bound by the first accepted message
  std::set<std::pair<std::string, std::string>, std::less<>> registrations; // (tr_id, tr_key)
  std::map<std::string, ws_keys, std::less<>> keys;                         // per tr_id
  bool ping_outstanding = false;
  int unanswered = 0;
  bool detached = false;
  bool too_slow = false;

private:
  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->cut();
        self->server_->detach(*self);
        return;
      }
      const auto data = self->buffer_.cdata();
      self->server_->on_text(*self,
                             std::string_view{static_cast<const char*>(data.data()), data.size()});
      self->buffer_.consume(self->buffer_.size());
      self->read();
    });
  }

  void write() {
    ws_.async_write(net::buffer(queue_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec || self->closing_) {
                        self->cut();
                        return;
                      }
                      self->queue_.pop_front();
                      if (!self->queue_.empty())
                        self->write();
                      else if (self->finish_)
                        self->close_now();
                    });
  }

  void close_now() {
    closing_ = true;
    ws_.async_close(websocket::close_code::policy_error,
                    [self = shared_from_this()](beast::error_code) {
                      beast::get_lowest_layer(self->ws_).close();
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::shared_ptr<ws_server::impl> server_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  bool closing_ = false;
  bool finish_ = false; // close once the queue is written
};

ws_server::impl::impl(net::io_context& ioc, realtime_source& source, ws_options opts)
    : ioc_(ioc)
    , strand_(net::make_strand(ioc))
    , opts_(std::move(opts))
    , source_(source)
    , acceptor_(strand_)
    , push_timer_(strand_)
    , ping_timer_(strand_)
    , drop_timer_(strand_)
    , rng_(opts_.seed) {
  // Loopback only: the simulator must never be reachable from the network.
  const tcp::endpoint where{net::ip::address_v4::loopback(), opts_.port};
  acceptor_.open(where.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(where);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
}

void ws_server::impl::start() {
  net::post(strand_, [self = shared_from_this()] {
    self->accept_next();
    self->arm(self->push_timer_, self->opts_.push_interval, &impl::push_tick);
    self->arm(self->ping_timer_, self->opts_.ping_interval, &impl::ping_tick);
    if (self->opts_.drop_every.count() > 0)
      self->arm(self->drop_timer_, self->opts_.drop_every, &impl::drop_tick);
  });
}

void ws_server::impl::close_from_owner() {
  {
    std::lock_guard lock{life_mu_};
    closed_ = true;
  }
  if (strand_.running_in_this_thread() || ioc_.stopped())
    return shutdown();
  // Wait for the io thread, so that every socket is closed when the owner goes on (and the
  // session <-> server references are broken); give up if nobody runs the io_context.
  auto done = std::make_shared<std::promise<void>>();
  auto closed = done->get_future();
  net::post(strand_, [self = shared_from_this(), done] {
    self->shutdown();
    done->set_value();
  });
  closed.wait_for(std::chrono::seconds{2});
}

void ws_server::impl::shutdown() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  push_timer_.cancel();
  ping_timer_.cancel();
  drop_timer_.cancel();
  auto all = std::move(sessions_);
  sessions_.clear();
  for (auto& s : all) {
    s->cut();
    detach(*s);
  }
}

void ws_server::impl::accept_next() {
  acceptor_.async_accept(
      strand_, [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || !self->acceptor_.is_open())
          return;
        if (!ec)
          std::make_shared<ws_session>(std::move(socket), self)->start();
        self->accept_next();
      });
}

void ws_server::impl::arm(net::steady_timer& t, std::chrono::milliseconds every,
                          void (impl::*tick)()) {
  t.expires_after(every);
  t.async_wait([self = shared_from_this(), &t, every, tick](boost::system::error_code ec) {
    if (ec || !self->acceptor_.is_open())
      return;
    ((*self).*tick)();
    self->arm(t, every, tick);
  });
}

void ws_server::impl::attach(const std::shared_ptr<ws_session>& s) {
  if (!acceptor_.is_open()) {
    s->cut();
    return;
  }
  sessions_.push_back(s);
  count([](ws_stats& st) {
    ++st.sessions;
    ++st.sessions_total;
  });
}

void ws_server::impl::detach(ws_session& s) {
  if (s.detached)
    return;
  s.detached = true;
  if (auto it = app_owner_.find(s.app); it != app_owner_.end() && it->second == &s)
    app_owner_.erase(it);
  std::erase_if(sessions_, [&](const auto& p) { return p.get() == &s; });
  count([&](ws_stats& st) {
    --st.sessions;
    st.registrations -= s.registrations.size();
  });
}

void ws_server::impl::drop(ws_session& s) {
  // Books first, so whoever sees the connection close also sees the stats that say why.
  detach(s);
  count([](ws_stats& st) { ++st.drops; });
  s.cut();
}

void ws_server::impl::drop_all() {
  auto all = sessions_; // drop() edits sessions_
  for (auto& s : all)
    drop(*s);
}

void ws_server::impl::on_answer(ws_session& s) {
  s.ping_outstanding = false;
  s.unanswered = 0;
  count([](ws_stats& st) { ++st.pongs_received; });
}

void ws_server::impl::count_sent(std::uint64_t records) {
  count([&](ws_stats& st) {
    ++st.frames_sent;
    st.records_sent += records;
  });
}

void ws_server::impl::on_text(ws_session& s, std::string_view text) {
  std::lock_guard lock{life_mu_};
  if (closed_ || s.detached)
    return;
  std::visit(
      [&]<class T>(const T& in) {
        if constexpr (std::is_same_v<T, frames::pingpong_echo>)
          on_answer(s);
        else if constexpr (std::is_same_v<T, frames::parse_refusal>)
          refuse(s, in.why, in.tr_id, in.tr_key);
        else
          handle(s, in);
      },
      frames::parse_inbound(text));
}

void ws_server::impl::refuse(ws_session& s, const frames::opsp& why, std::string_view tr_id,
                             std::string_view tr_key) {
  count([&](ws_stats& st) { ++st.refusals[std::string{why.code}]; });
  s.send(frames::refusal(why, tr_id, tr_key));
}

const ws_keys& ws_server::impl::keys_for(ws_session& s, const std::string& tr_id) {
  auto it = s.keys.find(tr_id);
  if (it == s.keys.end())
    it =
        s.keys
            .emplace(tr_id, ws_keys{frames::random_chars(rng_, 16), frames::random_chars(rng_, 32)})
            .first;
  return it->second;
}

void ws_server::impl::handle(ws_session& s, const frames::request& q) {
  // A session belongs to the app key its first approval key was issued for; python-kis asks
  // for a new approval key per message, and live KIS keeps such a session.
  const auto app = opts_.app_of ? opts_.app_of(q.approval_key) : std::string{};
  if (app.empty())
    return refuse(s, frames::code::key_not_found, q.tr_id, q.tr_key);
  if (s.app != app) {
    auto owner = app_owner_.find(app);
    if (owner != app_owner_.end() && owner->second != &s) {
      // One session per app key: the newcomer is told and closed (KIS-PROTOCOL.md §6.3).
      refuse(s, frames::code::key_in_use, q.tr_id, q.tr_key);
      detach(s);
      count([](ws_stats& st) { ++st.drops; });
      return s.close_after_flush();
    }
    if (!s.app.empty())
      return refuse(s, frames::code::other_key, q.tr_id, q.tr_key);
    s.app = app;
    app_owner_.emplace(app, &s);
  }

  const auto market_tr = frames::market_tr_of(q.tr_id);
  const bool market = market_tr.has_value();
  const bool notice = q.tr_id == notice_tr();
  // The Nextrade and combined TRs are real only (DOC: 모의투자 미지원); what paper answers is
  // UNCONFIRMED: refused as an unknown tr_id here.
  const bool real_only = market && market_tr->market != market_code::krx;
  if ((!market && !notice) || (real_only && opts_.env != api::environment::real))
    return refuse(s, frames::code::bad_tr_id, q.tr_id, q.tr_key);
  auto reg = std::make_pair(q.tr_id, q.tr_key);

  if (!q.subscribe) {
    auto it = s.registrations.find(reg);
    if (it == s.registrations.end())
      return refuse(s, frames::code::not_subscribed, q.tr_id, q.tr_key);
    s.registrations.erase(it);
    count([](ws_stats& st) { --st.registrations; });
    const auto& k = keys_for(s, q.tr_id);
    return s.send(frames::ack(frames::code::unsubscribed, q.tr_id, q.tr_key, notice, k.iv, k.key));
  }

  if (market && !source_.known_symbol(q.tr_key))
    return refuse(s, frames::code::bad_tr_key, q.tr_id, q.tr_key);
  if (notice && q.tr_key != opts_.hts_id)
    return refuse(s, frames::code::wrong_hts_id, {}, {}); // KIS names no TR here
  if (s.registrations.contains(reg))
    return refuse(s, frames::code::already_subscribed, q.tr_id, q.tr_key);
  if (s.registrations.size() >= opts_.max_registrations)
    return refuse(s, frames::code::max_over, q.tr_id, q.tr_key);

  s.registrations.insert(reg);
  count([](ws_stats& st) { ++st.registrations; });
  const auto& k = keys_for(s, q.tr_id);
  s.send(frames::ack(frames::code::subscribed, q.tr_id, q.tr_key, notice, k.iv, k.key));
  if (market && market_tr->book) // a new subscriber sees the book at once
    send_book({q.tr_id, q.tr_key}, market_tr->market, {&s}, false);
}

void ws_server::impl::send_book(const feed_key& what, market_code m,
                                const std::vector<ws_session*>& to, bool only_if_new) {
  auto book = source_.book(what.second, m);
  if (book.asks.empty() && book.bids.empty())
    return; // no book: Nextrade does not trade the symbol
  auto last = last_books_.find(what);
  const order_book* prev = last != last_books_.end() ? &last->second : nullptr;
  if (only_if_new && prev != nullptr && same_book(*prev, book))
    return;
  const auto width = m != market_code::krx ? frames::nxt_book_fields
                     : opts_.wide_book     ? frames::wide_book_fields
                                           : frames::book_fields;
  const auto frame =
      frames::data_frame(false, what.first, 1, frames::book_record(book, width, prev));
  for (auto* s : to) {
    s->send(frame);
    count_sent(1);
  }
  last_books_.insert_or_assign(what, std::move(book));
}

void ws_server::impl::send_trades(const feed_key& what, market_code m,
                                  const std::vector<ws_session*>& to) {
  const auto ticks = source_.trades(what.second, m);
  if (ticks.empty())
    return;
  const auto top = source_.book(what.second, m);
  auto& tape = tapes_[what];
  // The trades printed together (one market step) travel in one frame, as KIS batches them.
  for (std::size_t i = 0, n = 1; i < ticks.size(); i += n) {
    n = 1;
    while (opts_.multi_record && i + n < ticks.size() && n < frames::max_records_per_frame &&
           ticks[i + n].exchange_ns == ticks[i].exchange_ns)
      ++n;
    std::string payload;
    tape.append(payload, std::span{ticks}.subspan(i, n), &top);
    const auto frame = frames::data_frame(false, what.first, n, payload);
    for (auto* s : to) {
      s->send(frame);
      count_sent(n);
    }
  }
}

void ws_server::impl::push_tick() {
  std::lock_guard lock{life_mu_};
  if (closed_)
    return;
  // Who wants what: each (TR, symbol) is taken from the source once and fanned out.
  std::map<feed_key, std::vector<ws_session*>> wanted;
  for (const auto& s : sessions_)
    for (const auto& reg : s->registrations)
      if (frames::market_tr_of(reg.first))
        wanted[reg].push_back(s.get());
  for (const auto& [what, to] : wanted) {
    const auto tr = *frames::market_tr_of(what.first);
    if (tr.book)
      send_book(what, tr.market, to, true);
    else
      send_trades(what, tr.market, to);
  }

  // A client that cannot keep up is cut off rather than buffered without end.
  auto all = sessions_;
  for (auto& s : all)
    if (s->too_slow)
      drop(*s);
}

void ws_server::impl::ping_tick() {
  const auto ping = frames::pingpong(opts_.clock->now_ns());
  auto all = sessions_;
  for (auto& s : all) {
    if (s->ping_outstanding) {
      ++s->unanswered;
      count([](ws_stats& st) { ++st.unanswered_pings; });
      if (s->unanswered >= opts_.unanswered_pings_to_drop) {
        drop(*s);
        continue;
      }
    }
    s->ping_outstanding = true;
    s->send(ping);
    count([](ws_stats& st) { ++st.pings_sent; });
  }
}

void ws_server::impl::publish(execution_notice n) {
  if (n.hts_id.empty())
    n.hts_id = opts_.hts_id;
  const std::string tr{notice_tr()};
  const auto plain = frames::notice_record(n, opts_.account_name);
  const auto reg = std::make_pair(tr, n.hts_id);
  for (const auto& s : sessions_) {
    if (!s->registrations.contains(reg))
      continue;
    const auto& k = keys_for(*s, tr);
    s->send(frames::data_frame(true, tr, 1, frames::encrypt(plain, k.key, k.iv)));
    count_sent(1);
    count([](ws_stats& st) { ++st.notices_sent; });
  }
}

ws_server::ws_server(net::io_context& ioc, realtime_source& source, ws_options opts)
    : impl_(std::make_shared<impl>(ioc, source, std::move(opts))) {
  impl_->start();
}

ws_server::~ws_server() {
  impl_->close_from_owner();
}

std::uint16_t ws_server::port() const noexcept {
  return impl_->port_;
}

void ws_server::publish_notice(const execution_notice& notice) {
  net::post(impl_->strand_, [p = impl_, notice] { p->publish(notice); });
}

void ws_server::drop_sessions() {
  net::post(impl_->strand_, [p = impl_] { p->drop_all(); });
}

ws_stats ws_server::stats() const {
  return impl_->snapshot();
}

} // namespace kis::sim
