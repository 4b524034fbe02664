#include "runtime/replay_venue.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <utility>
#include <variant>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

#include "kis/kst.hpp"
#include "kis/realtime_frames.hpp"
#include "kis/rest_codec.hpp"
#include "kis/sessions.hpp"
#include "runtime/recorder.hpp"
#include "runtime/recording_redact.hpp"
#include "sim/frames.hpp"
#include "sim/gateway.hpp"
#include "sim/ws_server.hpp"

namespace kis::runtime {

namespace {

namespace json = boost::json;

sim::options fill_model_options(const venue_options& o, std::shared_ptr<replay_tape> tape) {
  sim::options so;
  so.env = o.env;
  so.seed = o.seed;
  so.rate_limit = 100'000; // the engine's own governor keeps the budget in a replay
  so.symbols = o.symbols;
  so.market_step = std::chrono::hours{1}; // the synthetic market is not used for prices
  so.initial_cash = o.initial_cash;
  so.clock = o.clock;
  so.fill_tape = std::move(tape);
  return so;
}

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "http://host/uapi/...?q" -> "/uapi/...?q"
std::string target_of(std::string_view url) {
  auto scheme = url.find("://");
  auto rest = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
  auto slash = rest.find('/');
  return slash == std::string_view::npos ? std::string{"/"} : std::string{rest.substr(slash)};
}

std::string symbol_param(const std::vector<kis::field>& params) {
  for (const auto& p : params)
    if (p.name == "FID_INPUT_ISCD")
      return p.value;
  return {};
}

std::string missing_body(std::string_view endpoint, std::string_view symbol) {
  json::object body{{"rt_cd", "1"},
                    {"msg_cd", "RPLY0001"},
                    {"msg1", "replay: nothing recorded for " + std::string{endpoint} + " " +
                                 std::string{symbol}}};
  return json::serialize(body);
}

bool market_data(endpoint_id id) {
  return id == endpoint_id::inquire_price || id == endpoint_id::inquire_daily_price ||
         id == endpoint_id::inquire_chart;
}

} // namespace

// --- the shared state -------------------------------------------------------------------------

struct replay_venue::impl {
  venue_options opts;
  std::shared_ptr<replay_tape> tape;
  sim::gateway fill_model;
  venue_stats st;
  lookahead_fn lookahead;
  std::map<std::string, rec::record> latest; // answer key -> newest recorded answer so far
  std::mt19937_64 key_gen;
  bool closed = false;

  // The one WebSocket session the feed holds (a reconnect replaces it).
  struct session {
    ws_feed_impl_actor feed;
    std::uint64_t id = 0;
    std::set<std::pair<std::string, std::string>> regs; // (tr_id, tr_key)
    std::string notice_key, notice_iv;                  // from our own ack
    bool notices = false;
  };
  std::optional<session> ws;

  explicit impl(venue_options o)
      : opts(std::move(o))
      , tape(std::make_shared<replay_tape>(opts.clock))
      , fill_model(fill_model_options(opts, tape))
      , key_gen(opts.seed ^ 0x6e6f74696365ull) {
    fill_model.notice_sink = [this](const kis::execution_notice& n) { send_notice(n); };
  }

  std::string_view notice_tr() const {
    return api::tr_id_of(feed_channel::notices, opts.env == api::environment::paper);
  }

  void to_feed(std::string text) {
    if (ws)
      caf::anon_send(ws->feed, frame_atom_v, ws->id, std::move(text));
  }

  // --- WebSocket ----------------------------------------------------------------------------

  void open_session(const ws_feed_impl_actor& feed, std::uint64_t id) {
    ws = session{feed, id, {}, {}, {}, false};
    caf::anon_send(feed, link_up_atom_v, id);
  }

  void close_session(std::uint64_t id) {
    if (ws && ws->id == id)
      ws.reset();
  }

  void client_text(std::uint64_t id, const std::string& text) {
    if (!ws || ws->id != id)
      return;
    auto in = sim::frames::parse_inbound(text);
    if (auto* refused = std::get_if<sim::frames::parse_refusal>(&in)) {
      to_feed(sim::frames::refusal(refused->why, refused->tr_id, refused->tr_key));
      return;
    }
    auto* req = std::get_if<sim::frames::request>(&in);
    if (req == nullptr)
      return; // the PINGPONG echo
    const bool notice = req->tr_id == notice_tr();
    if (!req->subscribe) {
      ws->regs.erase({req->tr_id, req->tr_key});
      if (notice)
        ws->notices = false;
      to_feed(sim::frames::ack(sim::frames::code::unsubscribed, req->tr_id, req->tr_key, notice, "",
                               ""));
      return;
    }
    const bool market = req->tr_id == api::tr_trades || req->tr_id == api::tr_book;
    if (market && !opts.ws_symbols.empty() && opts.ws_symbols.count(req->tr_key) == 0) {
      ++st.registrations_refused;
      to_feed(sim::frames::refusal(sim::frames::code::max_over, req->tr_id, req->tr_key));
      return;
    }
    ws->regs.insert({req->tr_id, req->tr_key});
    ++st.registrations;
    if (notice) {
      ws->notice_key = sim::frames::random_chars(key_gen, 32);
      ws->notice_iv = sim::frames::random_chars(key_gen, 16);
      ws->notices = true;
    }
    to_feed(sim::frames::ack(sim::frames::code::subscribed, req->tr_id, req->tr_key, notice,
                             notice ? ws->notice_iv : "", notice ? ws->notice_key : ""));
  }

  void send_notice(const kis::execution_notice& n) {
    if (!ws || !ws->notices)
      return;
    const auto plain = sim::frames::notice_record(n, sim::ws_options{}.account_name);
    to_feed(sim::frames::data_frame(true, notice_tr(), 1,
                                    sim::frames::encrypt(plain, ws->notice_key, ws->notice_iv)));
    ++st.notices_sent;
  }

  // --- recorded records ---------------------------------------------------------------------

  void deliver_frame(const rec::record& r) {
    if (api::is_pingpong(r.text)) {
      to_feed(r.text);
      ++st.frames_delivered;
      return;
    }
    if (api::classify(r.text) != api::frame_kind::data) {
      ++st.frames_skipped; // the recording's acks: our own answer the feed's requests
      return;
    }
    auto f = api::split_frame(r.text);
    if (!f || api::is_notice_tr(f->tr_id)) {
      ++st.frames_skipped; // the recorded account's notices: the fill model makes ours
      return;
    }
    record_keys keys;
    index_keys(r, keys);
    const auto& symbols = keys.ws_symbols;
    const bool wanted = ws && std::any_of(symbols.begin(), symbols.end(), [&](const auto& s) {
                          return ws->regs.count({std::string{f->tr_id}, s}) != 0;
                        });
    if (wanted) {
      to_feed(r.text);
      ++st.frames_delivered;
    } else {
      ++st.frames_skipped;
    }
    print(*f);
  }

  // The fill model sees every recorded trade and book, then matches resting orders.
  void print(const api::data_frame& f) {
    const auto now = opts.clock->now_ns();
    if (f.tr_id == api::tr_trades) {
      std::vector<trade_tick> ticks;
      if (api::parse_trades(f.payload, f.count, now, ticks))
        for (const auto& t : ticks)
          tape->print(t);
      st.trades_printed += ticks.size();
    } else if (f.tr_id == api::tr_book) {
      std::vector<order_book> books;
      auto date = api::kst::format_date(api::kst::date_of(now));
      if (api::parse_books(f.payload, f.count, date, now, books))
        for (const auto& b : books)
          tape->show_book(b);
    }
    fill_model.tick();
  }

  void deliver_rest(const rec::record& r) {
    if (r.endpoint != "inquire_price" && r.endpoint != "inquire_daily_price" &&
        r.endpoint != "inquire_chart")
      return; // the recorded account's orders and queries say nothing about the market
    if (r.endpoint == "inquire_price" && r.http_status == 200) {
      boost::system::error_code ec;
      auto v = json::parse(r.body, ec);
      if (!ec && v.is_object())
        if (auto q = api::decode_quote(v.as_object(), symbol_param(r.params), opts.clock->now_ns()))
          tape->show_quote(*q);
      fill_model.tick();
    }
    latest[answer_key(r.endpoint, r.params)] = r;
  }

  // --- REST ---------------------------------------------------------------------------------

  http_exchange answer(const api::http_request& req) {
    http_exchange ex;
    ex.call_id = req.call_id;
    ex.sent = true;
    auto what = recording::summarize_request(req);
    const auto* ep = api::find_by_path(target_of(req.url).substr(0, target_of(req.url).find('?')));
    if (ep != nullptr && market_data(ep->id)) {
      market_answer(what, ex);
      return ex;
    }
    ++st.fill_model_calls;
    sim::http_request sr;
    sr.method = req.method == api::http_method::post ? "POST" : "GET";
    sr.target = target_of(req.url);
    for (const auto& h : req.headers)
      sr.headers[lower(h.name)] = h.value;
    sr.body = req.body;
    auto resp = fill_model.handle(sr);
    ex.http_status = resp.status;
    ex.body = std::move(resp.body);
    for (const auto& [name, value] : resp.headers)
      if (name == "tr_cont")
        ex.tr_cont = value;
    return ex;
  }

  void market_answer(const recording::request_summary& what, http_exchange& ex) {
    const auto key = answer_key(what.endpoint, what.params);
    const auto symbol = symbol_param(what.params);
    ex.http_status = 200;
    if (what.endpoint == "inquire_price" && tape->traded(symbol)) {
      ex.body = tape->quote_body(symbol);
      ++st.answers_from_tape;
      return;
    }
    const rec::record* found = nullptr;
    if (auto it = latest.find(key); it != latest.end())
      found = &it->second;
    else if (lookahead)
      found = lookahead(key);
    if (found != nullptr) {
      ex.http_status = found->http_status;
      ex.tr_cont = found->tr_cont;
      ex.body = found->body;
      ++st.answers_recorded;
      return;
    }
    if (what.endpoint == "inquire_price") {
      if (auto body = tape->quote_body(symbol); !body.empty()) {
        ex.body = std::move(body);
        ++st.answers_from_tape;
        return;
      }
    }
    ex.body = missing_body(what.endpoint, symbol);
    ++st.answers_missing;
  }

  void on_time() {
    if (!opts.session_rules)
      return;
    static const auto calendar = sessions::calendar::year_2026();
    const bool open = sessions::krx_main_session(calendar, opts.clock->now_ns());
    if (open == !closed)
      return;
    closed = !open;
    sim::faults f;
    f.market_closed = closed;
    fill_model.set_faults(f);
  }
};

// --- the transports ---------------------------------------------------------------------------

namespace {

class venue_rest final : public rest_transport {
public:
  explicit venue_rest(std::shared_ptr<replay_venue::impl> v)
      : v_(std::move(v)) {}
  void submit(api::http_request req, std::function<void(http_exchange)> done) override {
    done(v_->answer(req));
  }

private:
  std::shared_ptr<replay_venue::impl> v_;
};

class venue_ws final : public ws_transport {
public:
  venue_ws(std::shared_ptr<replay_venue::impl> v, const ws_feed_impl_actor& feed, std::uint64_t id)
      : v_(std::move(v))
      , id_(id) {
    v_->open_session(feed, id);
  }
  ~venue_ws() override { v_->close_session(id_); }
  void send_text(std::string text) override { v_->client_text(id_, text); }
  void send_pong(std::string) override {}

private:
  std::shared_ptr<replay_venue::impl> v_;
  std::uint64_t id_;
};

} // namespace

replay_venue::replay_venue(venue_options opts)
    : impl_(std::make_shared<impl>(std::move(opts))) {}

replay_venue::~replay_venue() = default;

std::shared_ptr<rest_transport> replay_venue::rest() {
  return std::make_shared<venue_rest>(impl_);
}

ws_transport_factory replay_venue::ws() {
  return [v = impl_](const ws_feed_impl_actor& feed, std::uint64_t session) {
    return std::make_unique<venue_ws>(v, feed, session);
  };
}

api::credentials replay_venue::credentials() const {
  return sim::default_credentials();
}

void replay_venue::set_lookahead(lookahead_fn f) {
  impl_->lookahead = std::move(f);
}

void replay_venue::deliver(const rec::record& r) {
  switch (r.src) {
  case rec::source::ws_in:
    impl_->deliver_frame(r);
    break;
  case rec::source::rest:
    impl_->deliver_rest(r);
    break;
  default:
    break; // markers, registrations and link events describe the recorded run only
  }
}

void replay_venue::on_time() {
  impl_->on_time();
}

replay_tape& replay_venue::tape() {
  return *impl_->tape;
}

const venue_stats& replay_venue::stats() const {
  return impl_->st;
}

std::string replay_venue::answer_key(std::string_view endpoint,
                                     const std::vector<kis::field>& params) {
  std::vector<std::string> parts;
  for (const auto& p : params)
    parts.push_back(p.name + "=" + p.value);
  std::sort(parts.begin(), parts.end());
  std::string key{endpoint};
  for (const auto& p : parts)
    key += "|" + p;
  return key;
}

} // namespace kis::runtime
