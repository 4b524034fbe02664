#include "runtime/replay_driver.hpp"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <map>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/budget/rate_governor.hpp"
#include "actors/budget/rest_gateway.hpp"
#include "actors/budget/token_cache.hpp"
#include "actors/budget/token_keeper.hpp"
#include "actors/feed/ws_feed.hpp"
#include "actors/observability/metrics.hpp"
#include "kis/kst.hpp"
#include "messages/errors.hpp"
#include "runtime/budget_plan.hpp"
#include "runtime/metrics_http.hpp"
#include "runtime/trading_actors.hpp"
#include "runtime/wiring.hpp"

namespace kis::runtime {

namespace {

namespace fs = std::filesystem;
using std::chrono::nanoseconds;

constexpr std::chrono::seconds lookahead_horizon{60};
constexpr std::uint64_t livelock_limit = 50'000'000; // messages without the clock moving

// CAF's test coordinator: every actor of this system runs on the calling thread, one message
// at a time, and its clock moves only when told.
struct testing_config : caf_config {
  testing_config() { set("scheduler.policy", caf::atom("testing")); }
};

// The virtual clock: CAF's timer clock and the wall clock the actors read, moved together.
class virtual_clock {
public:
  virtual_clock(caf::scheduler::test_coordinator& sched, std::shared_ptr<manual_wall_clock> wall,
                std::int64_t start_ns)
      : sched_(sched)
      , wall_(std::move(wall))
      , caf0_(sched.clock().now())
      , wall0_(start_ns) {
    wall_->set(wall_time{std::chrono::duration_cast<wall_time::duration>(nanoseconds{start_ns})});
  }

  std::int64_t now_ns() const { return wall0_ + (sched_.clock().now() - caf0_).count(); }
  const std::shared_ptr<manual_wall_clock>& wall() const noexcept { return wall_; }

  std::optional<std::int64_t> next_timer() const {
    const auto& s = sched_.clock().schedule();
    if (s.empty())
      return std::nullopt;
    return wall0_ + (s.begin()->first - caf0_).count();
  }

  void advance_to(std::int64_t t) {
    const auto now = now_ns();
    if (t <= now)
      return;
    wall_->set(wall_time{std::chrono::duration_cast<wall_time::duration>(nanoseconds{t})});
    sched_.advance_time(nanoseconds{t - now});
  }

private:
  caf::scheduler::test_coordinator& sched_;
  std::shared_ptr<manual_wall_clock> wall_;
  caf::actor_clock::time_point caf0_;
  std::int64_t wall0_;
};

// The engine's services, spawned around the venue's transports.
struct services {
  rate_governor_actor governor;
  token_keeper_actor keeper;
  rest_gateway_actor gateway;
  ws_feed_actor feed;
  std::optional<trading_actors> trading;
};

// The services once per app key: governor, token keeper, gateway and feed.
std::optional<api::api_error> spawn_core(caf::actor_system& sys, const replay_setup& s,
                                         replay_venue& venue,
                                         const std::shared_ptr<manual_wall_clock>& clock,
                                         services& out) {
  const auto& cfg = s.cfg;
  const auto cred = venue.credentials();
  governor_config gc;
  gc.limit = static_cast<std::uint32_t>(cfg.budget.rate_limit > 0 ? cfg.budget.rate_limit
                                                                  : api::default_rate_limit(s.env));
  gc.safety_margin = cfg.budget.safety_margin;
  gc.order_reserve = static_cast<std::uint32_t>(cfg.budget.order_reserve);
  if (auto problem = validate(gc))
    return api::make_api_error(errc::config, "budget: " + problem->message);
  out.governor = spawn_rate_governor(sys, gc);
  const std::string base_url = "http://replay.invalid";
  token_keeper_config kc;
  kc.env = s.env;
  kc.app_key = cred.app_key;
  kc.clock = clock; // no cache_dir: a replay never touches a live token cache
  out.keeper = spawn_token_keeper(sys, kc, make_oauth_issuer(venue.rest(), s.env, base_url, cred));
  gateway_config gw;
  gw.env = s.env;
  gw.base_url = base_url;
  gw.cred = cred;
  gw.transport = venue.rest();
  gw.query_retries = static_cast<std::uint32_t>(cfg.budget.query_retries);
  gw.quote_ttl = cfg.budget.quote_cache_ttl;
  gw.clock = clock;
  out.gateway = spawn_rest_gateway(sys, gw, out.governor, out.keeper);
  if (cfg.feed.enabled) {
    ws_feed_config fc;
    fc.url = "ws://replay.invalid";
    fc.custtype = cred.custtype;
    fc.paper = s.env == api::environment::paper;
    fc.slots_cap = static_cast<std::uint32_t>(cfg.feed.max_registrations);
    fc.notice_slots = 1;
    fc.silence_timeout = cfg.feed.silence_timeout;
    fc.tick_interval = s.feed_tick;
    fc.clock = clock;
    fc.transport = venue.ws();
    out.feed = spawn_ws_feed(sys, fc, out.keeper);
  }
  return std::nullopt;
}

// Analyzers, strategy hosts and the executor, as `run` spawns them.
std::optional<api::api_error> spawn_trading(caf::actor_system& sys, const replay_setup& s,
                                            replay_venue& venue,
                                            const std::shared_ptr<manual_wall_clock>& clock,
                                            services& out) {
  auto run_cfg = s.cfg;
  run_cfg.mode = run_mode::sim; // every configured strategy trades: against the fill model
  // The replay covers its symbols only (the recording's, or --symbols): a strategy keeps those
  // of its symbols, and one left with none does not run.
  for (auto& st : run_cfg.strategies) {
    if (st.symbols.empty())
      continue;
    std::erase_if(st.symbols, [&](const std::string& x) {
      return std::find(s.symbols.begin(), s.symbols.end(), x) == s.symbols.end();
    });
    if (st.symbols.empty())
      st.enabled = false;
  }
  const auto& hts_id = venue.credentials().hts_id;
  auto plan = plan_budget(run_cfg, s.symbols.size(), strategy_symbol_count(run_cfg, s.symbols),
                          !hts_id.empty());
  auto tcfg = make_trading_config(run_cfg, hts_id, s.symbols, plan);
  tcfg.analyzer.interest_interval = std::chrono::milliseconds{0}; // replay's feed never re-ranks
  tcfg.executor.journal_path = (s.out_dir / "journal.sqlite").string();
  tcfg.executor.clock = clock;
  tcfg.executor.journal_detached = false; // a thread of its own would answer at random points
  tcfg.analyzer.clock = clock;
  tcfg.executor.venues.calendar = nullptr; // the venue keeps replay's session rules
  auto trading = spawn_trading_actors(sys, tcfg, out.gateway, out.feed);
  if (!trading)
    return api::make_api_error(view(trading.error()).code,
                               "cannot start the trading actors: " + sys.render(trading.error()));
  out.trading = std::move(*trading);
  return std::nullopt;
}

void stop_services(const services& s) {
  if (s.trading) {
    actor_owner owner;
    own_trading_actors(owner, *s.trading);
    owner.stop_all();
  }
  for (auto a : {caf::actor_cast<caf::actor>(s.gateway), caf::actor_cast<caf::actor>(s.keeper),
                 caf::actor_cast<caf::actor>(s.governor), caf::actor_cast<caf::actor>(s.feed)})
    if (a)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

std::string hms(std::int64_t ns) {
  auto t = api::kst::time_of(ns);
  return t.substr(0, 2) + ":" + t.substr(2, 2) + ":" + t.substr(4, 2);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos)
    return s;
  std::string out = "\"";
  for (char c : s)
    out += c == '"' ? std::string{"\"\""} : std::string(1, c);
  return out + "\"";
}

void remove_journal(const fs::path& dir) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"})
    fs::remove(dir / (std::string{"journal.sqlite"} + suffix), ec);
}

// One replay run: the loop of virtual time, records and messages.
class driver {
public:
  driver(replay_setup& s, record_source& src)
      : s_(s)
      , src_(src) {}

  replay_result run();

private:
  const rec::record* peek();
  const rec::record* look_ahead(const std::string& key);
  void replay(caf::actor_system& sys, std::int64_t start);
  void settle();
  std::string busiest();
  bool drain(caf::actor_system& sys);
  void sample_marks(std::int64_t now);
  void start_metrics(caf::actor_system& sys);
  void show_progress(bool last);
  void pace();
  void write_outputs();

  replay_setup& s_;
  record_source& src_;
  replay_result res_;
  std::deque<rec::record> ahead_;
  bool source_done_ = false;
  caf::scheduler::test_coordinator* sched_ = nullptr;
  std::optional<virtual_clock> vclock_;
  std::optional<replay_venue> venue_;
  services svc_;
  executor_summary summary_;
  std::int64_t next_mark_ = 0;
  std::unique_ptr<metrics_server> http_;
  metrics_actor metrics_;
  std::chrono::steady_clock::time_point started_, next_progress_;
};

const rec::record* driver::peek() {
  if (ahead_.empty() && !source_done_) {
    rec::record r;
    if (src_.next(r)) {
      ++res_.records;
      ahead_.push_back(std::move(r));
    } else {
      source_done_ = true;
    }
  }
  return ahead_.empty() ? nullptr : &ahead_.front();
}

// A recorded market-data answer a little ahead of the clock: the recorded run asked at about
// the same virtual time, and its answer came back then.
const rec::record* driver::look_ahead(const std::string& key) {
  const auto horizon = vclock_->now_ns() + nanoseconds{lookahead_horizon}.count();
  for (std::size_t i = 0;; ++i) {
    if (i == ahead_.size()) {
      if (source_done_ || (!ahead_.empty() && ahead_.back().recv_ns > horizon))
        break;
      rec::record r;
      if (!src_.next(r)) {
        source_done_ = true;
        break;
      }
      ++res_.records;
      ahead_.push_back(std::move(r));
    }
    const auto& r = ahead_[i];
    if (r.recv_ns > horizon)
      break;
    if (r.src == rec::source::rest && replay_venue::answer_key(r.endpoint, r.params) == key)
      return &r;
  }
  return s_.extra_answers ? s_.extra_answers(key, vclock_->now_ns()) : nullptr;
}

// Runs every ready actor, and every timer due now, until nothing moves.
void driver::settle() {
  std::uint64_t n = 0;
  for (;;) {
    while (sched_->try_run_once())
      if (++n > livelock_limit)
        throw std::runtime_error("replay: actors keep messaging without the clock moving (" +
                                 busiest() + ")");
    if (!sched_->has_job() && sched_->advance_time(caf::timespan{0}) == 0)
      break;
  }
  res_.messages += n;
}

// Who is messaging: the actors whose turn comes next in a short run, for the livelock error.
std::string driver::busiest() {
  std::map<std::string, int> turns;
  for (int i = 0; i < 1000; ++i) {
    if (!sched_->has_job() && sched_->advance_time(caf::timespan{0}) == 0)
      break;
    if (auto* a = dynamic_cast<caf::scheduled_actor*>(&sched_->next_job()))
      ++turns[a->name()];
    sched_->try_run_once();
  }
  std::string out;
  for (const auto& [name, n] : turns)
    out += (out.empty() ? "" : ", ") + name + " " + std::to_string(n);
  return out;
}

// The metrics actor (last, so the other actors' ids are those of a run without it) and the
// loopback /metrics server, when asked for.
void driver::start_metrics(caf::actor_system& sys) {
  if (s_.metrics_port < 0)
    return;
  http_ = std::make_unique<metrics_server>(static_cast<std::uint16_t>(s_.metrics_port));
  metrics_config mc;
  mc.collect_every = s_.cfg.metrics.interval;
  mc.clock = vclock_->wall();
  mc.publish = [srv = http_.get()](std::shared_ptr<const metrics_snapshot> snap) {
    srv->update(std::move(snap));
  };
  metrics_ = spawn_metrics(sys, mc);
  if (s_.progress != nullptr)
    *s_.progress << "metrics on " << http_->url() << "/metrics\n";
}

void driver::sample_marks(std::int64_t now) {
  if (s_.mark_every.count() <= 0)
    return;
  const auto step = nanoseconds{s_.mark_every}.count();
  if (next_mark_ == 0)
    next_mark_ = now - now % step + step;
  while (now >= next_mark_) {
    mark_sample m;
    m.at_ns = next_mark_;
    for (const auto& sym : s_.symbols)
      if (auto px = venue_->tape().last_price(sym, venue::krx); px > 0)
        m.prices[sym] = px;
    res_.marks.push_back(std::move(m));
    next_mark_ += step;
  }
}

void driver::pace() {
  if (s_.speed <= 0)
    return;
  const auto virtual_elapsed = nanoseconds{vclock_->now_ns() - res_.first_ns};
  const auto due = started_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                  virtual_elapsed / s_.speed);
  if (due > std::chrono::steady_clock::now() + std::chrono::milliseconds{1})
    std::this_thread::sleep_until(due);
}

void driver::show_progress(bool last) {
  if (s_.progress == nullptr)
    return;
  const auto now = std::chrono::steady_clock::now();
  if (!last && now < next_progress_)
    return;
  next_progress_ = now + std::chrono::milliseconds{250};
  const double secs = std::chrono::duration<double>(now - started_).count();
  if (metrics_) {
    actor_sample sample;
    sample.actor = sample.role = "replay";
    sample.at_ns = vclock_->now_ns();
    sample.processed = res_.messages;
    auto point = [&](const char* name, metric_type t, double v) {
      sample.values.push_back({name, t, {}, v});
    };
    point(metric_names::replay_progress_ratio, metric_type::gauge, src_.progress());
    point(metric_names::replay_records_total, metric_type::counter,
          static_cast<double>(res_.records));
    point(metric_names::replay_virtual_time_seconds, metric_type::gauge,
          static_cast<double>(vclock_->now_ns()) / 1e9);
    point(metric_names::replay_fill_model_calls_total, metric_type::counter,
          static_cast<double>(venue_->stats().fill_model_calls));
    caf::anon_send(metrics_, std::move(sample));
  }
  char line[200];
  std::snprintf(line, sizeof line, "\r%s %s KST %3.0f%%  %llu records  %.0f records/s  %zu orders",
                s_.label.c_str(), hms(vclock_->now_ns()).c_str(), src_.progress() * 100.0,
                static_cast<unsigned long long>(res_.records),
                secs > 0 ? static_cast<double>(res_.records) / secs : 0.0,
                static_cast<std::size_t>(venue_->stats().fill_model_calls));
  *s_.progress << line << (last ? "\n" : "") << std::flush;
}

// Asks the executor to drain (its configured policy) and moves the clock until it answers.
bool driver::drain(caf::actor_system& sys) {
  caf::scoped_actor self{sys, true};
  self->send(svc_.trading->owned_executor, drain_atom_v);
  bool done = false;
  const auto deadline = vclock_->now_ns() + nanoseconds{std::chrono::seconds{60}}.count();
  while (!done) {
    settle();
    self->receive(
        [&](executor_summary& sum) {
          summary_ = std::move(sum);
          done = true;
        },
        caf::after(std::chrono::seconds{0}) >> [] {});
    if (done)
      break;
    auto t = vclock_->next_timer();
    if (!t || *t > deadline)
      return false;
    vclock_->advance_to(*t);
  }
  return true;
}

replay_result driver::run() {
  started_ = std::chrono::steady_clock::now();
  std::error_code ec;
  fs::create_directories(s_.out_dir, ec);
  if (ec) {
    res_.error = "cannot create \"" + s_.out_dir.string() + "\": " + ec.message();
    return res_;
  }
  remove_journal(s_.out_dir);
  const auto* first = peek();
  if (first == nullptr) {
    res_.error = "the recording holds no records in the chosen range";
    for (const auto& p : src_.problems())
      res_.problems.push_back(p.to_string());
    return res_;
  }
  const auto start = s_.start_ns != 0 ? s_.start_ns : first->recv_ns;
  res_.first_ns = start;
  auto wall = std::make_shared<manual_wall_clock>();
  testing_config ccfg;
  caf::actor_system sys{ccfg};
  sched_ = &dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  vclock_.emplace(*sched_, wall, start);
  venue_options vo;
  vo.env = s_.env;
  vo.clock = wall;
  vo.symbols = s_.symbols;
  vo.initial_cash = s_.initial_cash;
  vo.session_rules = s_.session_rules;
  vo.ws_symbols = s_.ws_symbols;
  venue_.emplace(vo);
  venue_->set_lookahead([this](const std::string& key) { return look_ahead(key); });
  try {
    replay(sys, start);
  } catch (const std::exception& e) {
    res_.ok = false;
    res_.error = e.what();
  }
  // Whatever happened, every actor ends before the system does (its destructor waits for them).
  stop_services(svc_);
  if (metrics_)
    caf::anon_send_exit(metrics_, caf::exit_reason::user_shutdown);
  for (std::uint64_t n = 0; n < livelock_limit && sched_->try_run_once(); ++n) {
  }
  return res_;
}

void driver::replay(caf::actor_system& sys, std::int64_t start) {
  // Records before the start seed the fill model's tape and the recorded answers only.
  while (const auto* r = peek()) {
    if (r->recv_ns >= start)
      break;
    venue_->deliver(*r);
    ahead_.pop_front();
  }
  venue_->on_time();
  // The feed is up before anyone subscribes, so every registration meets the venue's answer.
  if (auto err = spawn_core(sys, s_, *venue_, vclock_->wall(), svc_)) {
    res_.error = err->message;
    return;
  }
  settle();
  if (auto err = spawn_trading(sys, s_, *venue_, vclock_->wall(), svc_)) {
    res_.error = err->message;
    return;
  }
  start_metrics(sys);
  settle();
  std::int64_t last_record = start;
  for (;;) {
    const auto* r = peek();
    if (r != nullptr && r->recv_ns > s_.end_ns) { // the rest is after the chosen range
      source_done_ = true;
      ahead_.clear();
      r = nullptr;
    }
    const auto timer = vclock_->next_timer();
    const auto stop_at = last_record + nanoseconds{s_.settle}.count();
    if (r == nullptr && (!timer || *timer > stop_at))
      break;
    const auto t = r != nullptr && (!timer || r->recv_ns <= *timer) ? r->recv_ns : *timer;
    sample_marks(t);
    vclock_->advance_to(t);
    venue_->on_time();
    while ((r = peek()) != nullptr && r->recv_ns <= vclock_->now_ns() && r->recv_ns <= s_.end_ns) {
      last_record = std::max(last_record, r->recv_ns);
      venue_->deliver(*r);
      ahead_.pop_front();
    }
    settle();
    pace();
    show_progress(false);
  }
  res_.last_ns = vclock_->now_ns();
  const bool drained = drain(sys);
  show_progress(true);
  res_.venue = venue_->stats();
  res_.trades = res_.venue.trades_printed;
  for (const auto& p : src_.problems())
    res_.problems.push_back(p.to_string());
  if (!drained) {
    res_.error = "the order executor did not drain within 60 s of virtual time";
    return;
  }
  res_.realized_pnl = summary_.realized_pnl;
  order_journal journal;
  if (auto err = journal.open((s_.out_dir / "journal.sqlite").string())) {
    res_.error = "cannot read the replay's journal";
    return;
  }
  res_.orders = journal.all_entries();
  res_.fills = journal.fills();
  write_outputs();
  res_.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  res_.ok = true;
}

void driver::write_outputs() {
  auto orders = orders_csv(res_.orders);
  auto fills = fills_csv(res_.fills);
  std::ostringstream pnl;
  pnl << "realized_pnl=" << summary_.realized_pnl << "\n";
  for (const auto& p : summary_.positions)
    pnl << "position " << p.symbol << " " << p.qty << " @ " << p.avg_price << "\n";
  res_.digest = sha256_hex(orders + fills + pnl.str());
  std::ofstream{s_.out_dir / "orders.csv", std::ios::binary | std::ios::trunc} << orders;
  std::ofstream{s_.out_dir / "fills.csv", std::ios::binary | std::ios::trunc} << fills;
  std::ofstream sum{s_.out_dir / "summary.txt", std::ios::binary | std::ios::trunc};
  sum << pnl.str() << "orders=" << res_.orders.size() << "\nfills=" << res_.fills.size()
      << "\ndigest=" << res_.digest << "\n";
}

} // namespace

std::string orders_csv(const std::vector<journal_entry>& orders) {
  std::ostringstream os;
  os << "seq,client_id,strategy,symbol,side,kind,qty,price,status,order_no,filled_qty,avg_price,"
        "trading_day,intent_time,created_ns,updated_ns,reason,message\n";
  for (const auto& e : orders)
    os << e.seq << ',' << e.client_id << ',' << csv_field(e.strategy_id) << ',' << e.symbol << ','
       << (e.dir == side::buy ? "buy" : "sell") << ',' << static_cast<int>(e.kind) << ',' << e.qty
       << ',' << e.price << ',' << to_string_view(e.status) << ',' << e.order_no << ','
       << e.filled_qty << ',' << e.avg_price << ',' << e.trading_day << ',' << e.intent_time << ','
       << e.created_ns << ',' << e.updated_ns << ',' << csv_field(e.reason) << ','
       << csv_field(e.message) << '\n';
  return os.str();
}

std::string fills_csv(const std::vector<journal_fill>& fills) {
  std::ostringstream os;
  os << "client_id,symbol,side,qty,price,at_ns,source\n";
  for (const auto& f : fills)
    os << f.client_id << ',' << f.symbol << ',' << (f.dir == side::buy ? "buy" : "sell") << ','
       << f.qty << ',' << f.price << ',' << f.at_ns << ',' << f.source << '\n';
  return os.str();
}

replay_result run_replay(replay_setup setup, record_source& source) {
  driver d{setup, source};
  return d.run();
}

} // namespace kis::runtime
