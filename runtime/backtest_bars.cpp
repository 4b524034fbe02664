#include "runtime/backtest_bars.hpp"

#include <algorithm>
#include <fstream>
#include <ostream>
#include <sstream>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/budget/rate_governor.hpp"
#include "actors/budget/rest_gateway.hpp"
#include "actors/budget/token_keeper.hpp"
#include "kis/kst.hpp"
#include "kis/sessions.hpp"
#include "runtime/transports.hpp"
#include "runtime/wiring.hpp"
#include "sim/frames.hpp"
#include "sim/server.hpp"

namespace kis::runtime {

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

std::int32_t first_calendar_day(const bar_request& req) {
  return api::kst::add_days(req.from, -(req.history_days * 7 / 5 + 10));
}

// Where the bars come from: the embedded simulator (sim mode) or KIS.
struct bar_backend {
  api::environment env = api::environment::real;
  std::string rest_url;
  api::credentials cred;
  int rate = 0;
  std::unique_ptr<sim::server> simulator;
};

api::result<bar_backend> start_bar_backend(const engine_config& cfg) {
  bar_backend b;
  if (cfg.mode == run_mode::sim) {
    sim::options o;
    o.env = api::parse_environment(cfg.sim.env).value_or(api::environment::real);
    o.seed = cfg.sim.seed;
    o.rate_limit = cfg.sim.rate_limit;
    try {
      b.simulator = std::make_unique<sim::server>(o);
      b.simulator->start();
    } catch (const std::exception& e) {
      return api::make_api_error(errc::transport,
                                 std::string{"cannot start the simulator: "} + e.what());
    }
    b.env = o.env;
    b.rest_url = b.simulator->rest_url();
    b.cred = sim::default_credentials();
    b.rate = o.rate_limit > 0 ? o.rate_limit : api::default_rate_limit(o.env);
    return b;
  }
  b.env = cfg.mode == run_mode::live ? api::environment::real : api::environment::paper;
  b.rest_url = cfg.rest_url.empty() ? std::string{api::default_rest_url(b.env)} : cfg.rest_url;
  b.cred = cfg.cred;
  b.rate = api::default_rate_limit(b.env);
  return b;
}

std::string cache_key(const engine_config& cfg) {
  if (cfg.mode != run_mode::sim)
    return cfg.mode == run_mode::live ? "real" : "paper";
  // The simulator's history is a function of its seed and its session date (today).
  return "sim-" + cfg.sim.env + "-seed" + std::to_string(cfg.sim.seed) + "-" +
         std::to_string(api::kst::today(*default_wall_clock()));
}

// One chart request per symbol through governor, keeper and gateway; blocking (main thread).
api::result<std::uint64_t> fetch(const engine_config& cfg, const bar_request& req,
                                 const std::vector<std::string>& symbols, bar_fetch& out,
                                 std::ostream* progress) {
  auto backend = start_bar_backend(cfg);
  if (!backend)
    return std::move(backend).error();
  auto& b = *backend;
  out.env = b.env;
  caf_config ccfg;
  caf::actor_system sys{ccfg};
  governor_config gc;
  gc.limit = static_cast<std::uint32_t>(cfg.budget.rate_limit > 0 ? cfg.budget.rate_limit : b.rate);
  gc.safety_margin = cfg.budget.safety_margin;
  auto governor = spawn_rate_governor(sys, gc);
  auto transport = make_curl_transport({});
  token_keeper_config kc;
  kc.env = b.env;
  kc.app_key = b.cred.app_key;
  kc.cache_dir = fs::path{cfg.data_dir}; // the live token is reused, not issued again
  auto keeper =
      spawn_token_keeper(sys, kc, make_oauth_issuer(transport, b.env, b.rest_url, b.cred));
  gateway_config gw;
  gw.env = b.env;
  gw.base_url = b.rest_url;
  gw.cred = b.cred;
  gw.transport = transport;
  auto gateway = spawn_rest_gateway(sys, gw, governor, keeper);
  std::optional<api::api_error> failure;
  {
    caf::scoped_actor self{sys};
    std::size_t done = 0;
    for (const auto& sym : symbols) {
      chart_query q{sym, first_calendar_day(req), req.to, 'D', true, "J"};
      self->request(gateway, std::chrono::minutes{10}, q)
          .receive(
              [&](std::vector<daily_bar>& rows) {
                std::sort(rows.begin(), rows.end(),
                          [](const auto& x, const auto& y) { return x.date < y.date; });
                write_bar_cache(bar_cache_file(cfg, sym, req), rows);
                out.bars[sym] = std::move(rows);
                ++out.fetched;
              },
              [&](caf::error& err) {
                if (!failure)
                  failure = api::make_api_error(errc::transport,
                                                "bars of " + sym + ": " + sys.render(err));
              });
      if (progress != nullptr)
        *progress << "\rbars " << ++done << "/" << symbols.size() << " symbols fetched"
                  << std::flush;
    }
    if (progress != nullptr)
      *progress << "\n";
    self->request(governor, std::chrono::seconds{5}, caf::get_atom_v, stats_atom_v)
        .receive([&](const api_stats& st) { out.calls = st.total_calls; }, [](caf::error&) {});
  }
  for (auto a : {caf::actor_cast<caf::actor>(gateway), caf::actor_cast<caf::actor>(keeper),
                 caf::actor_cast<caf::actor>(governor)})
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  if (failure)
    return *failure;
  return out.calls;
}

kis::trade_tick print_at(const std::string& symbol, std::int32_t day, int minute, int second,
                         std::int64_t price, std::int64_t base, std::int64_t qty) {
  kis::trade_tick t;
  t.symbol = symbol;
  t.exchange_ns = sessions::kst_instant(day, minute * 60 + second);
  t.price = price;
  t.change = price - base;
  t.sign = price > base ? price_sign::up : price < base ? price_sign::down : price_sign::flat;
  t.qty = std::max<std::int64_t>(1, qty);
  t.session = "20";
  return t;
}

// Open, the first extreme, the other, close: low first on an up day, high first on a down day.
std::vector<kis::trade_tick> day_prints(const daily_bar& b, std::int64_t base) {
  const bool up = b.close >= b.open;
  const auto q = b.volume / 4;
  std::vector<kis::trade_tick> out{
      print_at(b.symbol, b.date, 9 * 60, 0, b.open, base, q),
      print_at(b.symbol, b.date, 11 * 60, 0, up ? b.low : b.high, base, q),
      print_at(b.symbol, b.date, 13 * 60 + 30, 0, up ? b.high : b.low, base, q),
      print_at(b.symbol, b.date, 15 * 60 + 29, 59, b.close, base, b.volume - 3 * q)};
  std::int64_t acc = 0, turnover = 0, hi = 0, lo = 0;
  for (auto& t : out) {
    acc += t.qty;
    turnover += t.qty * t.price;
    hi = hi == 0 ? t.price : std::max(hi, t.price);
    lo = lo == 0 ? t.price : std::min(lo, t.price);
    t.acc_volume = acc;
    t.acc_turnover = turnover;
    t.vwap = turnover / acc;
    t.open = b.open;
    t.high = hi;
    t.low = lo;
  }
  return out;
}

std::string chart_body(const std::vector<const daily_bar*>& rows) {
  json::array out2;
  for (const auto* b : rows)
    out2.push_back(json::object{{"stck_bsop_date", std::to_string(b->date)},
                                {"stck_oprc", std::to_string(b->open)},
                                {"stck_hgpr", std::to_string(b->high)},
                                {"stck_lwpr", std::to_string(b->low)},
                                {"stck_clpr", std::to_string(b->close)},
                                {"acml_vol", std::to_string(b->volume)},
                                {"acml_tr_pbmn", std::to_string(b->turnover)}});
  json::object body{{"rt_cd", "0"}, {"msg_cd", "MCA00000"}, {"msg1", "정상처리 되었습니다."}};
  body["output1"] = json::object{};
  body["output2"] = std::move(out2);
  return json::serialize(body);
}

} // namespace

fs::path bar_cache_file(const engine_config& cfg, const std::string& symbol,
                        const bar_request& req) {
  return fs::path{cfg.data_dir} / "bars" / cache_key(cfg) /
         (symbol + "-D-" + std::to_string(first_calendar_day(req)) + "-" + std::to_string(req.to) +
          ".csv");
}

bool write_bar_cache(const fs::path& file, const std::vector<daily_bar>& bars) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  std::ofstream out{file, std::ios::binary | std::ios::trunc};
  out << "date,open,high,low,close,volume,turnover\n";
  for (const auto& b : bars)
    out << b.date << ',' << b.open << ',' << b.high << ',' << b.low << ',' << b.close << ','
        << b.volume << ',' << b.turnover << '\n';
  return static_cast<bool>(out);
}

std::optional<std::vector<daily_bar>> read_bar_cache(const fs::path& file,
                                                     const std::string& symbol) {
  std::ifstream in{file};
  std::string line;
  if (!in || !std::getline(in, line) || line.rfind("date,", 0) != 0)
    return std::nullopt;
  std::vector<daily_bar> out;
  while (std::getline(in, line)) {
    std::istringstream row{line};
    daily_bar b;
    b.symbol = symbol;
    char c1, c2, c3, c4, c5, c6;
    if (!(row >> b.date >> c1 >> b.open >> c2 >> b.high >> c3 >> b.low >> c4 >> b.close >> c5 >>
          b.volume >> c6 >> b.turnover) ||
        !api::kst::valid_date(b.date) || b.close <= 0)
      return std::nullopt; // a damaged cache is fetched again
    out.push_back(b);
  }
  return out;
}

api::result<bar_fetch> load_bars(const engine_config& cfg, const bar_request& req, bool refresh,
                                 std::ostream* progress) {
  bar_fetch out;
  out.env = cfg.mode == run_mode::sim
                ? api::parse_environment(cfg.sim.env).value_or(api::environment::real)
            : cfg.mode == run_mode::live ? api::environment::real
                                         : api::environment::paper;
  std::vector<std::string> missing;
  for (const auto& sym : req.symbols) {
    if (!refresh)
      if (auto cached = read_bar_cache(bar_cache_file(cfg, sym, req), sym)) {
        out.bars[sym] = std::move(*cached);
        ++out.from_cache;
        continue;
      }
    missing.push_back(sym);
  }
  if (!missing.empty())
    if (auto r = fetch(cfg, req, missing, out, progress); !r)
      return std::move(r).error();
  return out;
}

std::vector<rec::record> bar_records(const bar_series& bars, std::int32_t from, std::int32_t to) {
  std::vector<kis::trade_tick> ticks;
  for (const auto& [sym, rows] : bars) {
    std::int64_t prev_close = 0;
    for (const auto& b : rows) {
      if (b.date >= from && b.date <= to)
        for (auto& t : day_prints(b, prev_close > 0 ? prev_close : b.open))
          ticks.push_back(std::move(t));
      prev_close = b.close;
    }
  }
  std::stable_sort(ticks.begin(), ticks.end(), [](const auto& a, const auto& b) {
    return a.exchange_ns != b.exchange_ns ? a.exchange_ns < b.exchange_ns : a.symbol < b.symbol;
  });
  std::vector<rec::record> out;
  out.reserve(ticks.size());
  std::map<std::string, sim::frames::trade_tape> tapes; // per symbol: its running tallies
  std::uint64_t seq = 0;
  for (const auto& t : ticks) {
    std::string payload;
    tapes[t.symbol].append(payload, std::span{&t, 1}, nullptr);
    rec::record r;
    r.seq = ++seq;
    r.recv_ns = t.exchange_ns;
    r.src = rec::source::ws_in;
    r.text = sim::frames::data_frame(false, sim::frames::tr_trades, 1, payload);
    out.push_back(std::move(r));
  }
  return out;
}

bar_answers::bar_answers(std::shared_ptr<const bar_series> bars)
    : bars_(std::move(bars)) {}

const rec::record* bar_answers::answer(const std::string& key, std::int64_t now_ns) {
  if (key.rfind("inquire_chart|", 0) != 0)
    return nullptr;
  std::map<std::string, std::string> p;
  std::istringstream parts{key};
  std::string part;
  while (std::getline(parts, part, '|'))
    if (auto eq = part.find('='); eq != std::string::npos)
      p[part.substr(0, eq)] = part.substr(eq + 1);
  auto it = bars_->find(p["FID_INPUT_ISCD"]);
  if (it == bars_->end() || p["FID_PERIOD_DIV_CODE"] != "D")
    return nullptr;
  const auto today = api::kst::date_of(now_ns);
  auto d1 = api::kst::parse_date(p["FID_INPUT_DATE_1"]);
  auto d2 = api::kst::parse_date(p["FID_INPUT_DATE_2"]);
  if (!d1 || !d2)
    return nullptr;
  std::vector<const daily_bar*> rows; // newest first, only days before the virtual today
  for (auto b = it->second.rbegin(); b != it->second.rend() && rows.size() < 100; ++b)
    if (b->date >= *d1 && b->date <= *d2 && b->date < today)
      rows.push_back(&*b);
  rec::record r;
  r.src = rec::source::rest;
  r.endpoint = "inquire_chart";
  r.http_status = 200;
  r.body = chart_body(rows);
  return &(made_[key] = std::move(r));
}

} // namespace kis::runtime
