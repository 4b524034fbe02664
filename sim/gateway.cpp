#include "sim/gateway.hpp"

#include <algorithm>
#include <cctype>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <openssl/evp.h>

#include "kis/kst.hpp"
#include "kis/rest_codec.hpp"
#include "sim/gateway_util.hpp"

namespace kis::sim {

namespace json = boost::json;

namespace reply {

http_response json(int status, const json::object& body, std::string_view tr_id,
                   std::string_view tr_cont) {
  http_response r;
  r.status = status;
  // KIS spells it Content-Type; clients that turn header names into identifiers rely on it.
  r.headers.emplace_back("Content-Type", "application/json; charset=UTF-8");
  if (!tr_id.empty())
    r.headers.emplace_back("tr_id", std::string{tr_id});
  r.headers.emplace_back("tr_cont", std::string{tr_cont});
  r.body = json::serialize(body);
  return r;
}

http_response kis_error(int status, std::string_view code, std::string_view text,
                        std::string_view tr_id) {
  return json(status, {{"rt_cd", "1"}, {"msg_cd", code}, {"msg1", text}}, tr_id);
}

http_response oauth_error(int status, std::string_view code, std::string_view text) {
  return json(status, {{"error_description", text}, {"error_code", code}});
}

} // namespace reply

namespace {

// Parameter names are matched without regard to case (the portal spells them in upper case,
// the Postman samples in lower case).
std::map<std::string, std::string> parse_query(std::string_view q) {
  std::map<std::string, std::string> out;
  for (auto& [name, value] : api::split_query(q))
    out[api::ascii_upper(name)] = std::move(value);
  return out;
}

std::string header(const http_request& req, const std::string& name) {
  auto it = req.headers.find(name);
  return it == req.headers.end() ? std::string{} : it->second;
}

bool json_content(const http_request& req) {
  auto ct = header(req, "content-type");
  for (auto& c : ct)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ct.rfind("application/json", 0) == 0;
}

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(digits[md[i] >> 4]);
    out.push_back(digits[md[i] & 0xf]);
  }
  return out;
}

std::optional<json::object> parse_object(std::string_view body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object())
    return std::nullopt;
  return std::move(v.as_object());
}

std::string string_field(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string{it->value().as_string()} : "";
}

http_response hung() {
  http_response r;
  r.hang = true;
  return r;
}

http_response bad_request() {
  return reply::kis_error(500, "EGW00101", "유효하지 않은 요청입니다.");
}

struct refusal {
  std::string_view code;
  std::string_view text;
};

// What KIS says to a wrong app key or secret, alike in REST headers and OAuth bodies.
std::optional<refusal> key_refusal(const std::string& key, const std::string& secret,
                                   const api::credentials& cred) {
  if (key.empty())
    return refusal{"EGW00102", "AppKey는 필수입니다."};
  if (key != cred.app_key)
    return refusal{"EGW00103", "유효하지 않은 AppKey입니다."};
  if (secret.empty())
    return refusal{"EGW00104", "AppSecret은 필수입니다."};
  if (secret != cred.app_secret)
    return refusal{"EGW00105", "유효하지 않은 AppSecret입니다."};
  return std::nullopt;
}

// The market's clock: `clock` itself, or a scaled clock from `start` at `speed`.
std::shared_ptr<const wall_clock> market_clock_for(const options& o,
                                                   const std::shared_ptr<const wall_clock>& clock) {
  if (!o.start_ns && o.speed == 1.0)
    return clock;
  const auto start = o.start_ns ? wall_time{std::chrono::duration_cast<wall_time::duration>(
                                      std::chrono::nanoseconds{*o.start_ns})}
                                : clock->now();
  return std::make_shared<scaled_wall_clock>(clock, start, o.speed);
}

} // namespace

api::credentials default_credentials() {
  api::credentials c;
  c.app_key = std::string{default_app_key};
  c.app_secret = std::string{default_app_secret};
  c.account_no = "50000000";
  c.account_product = "01";
  c.hts_id = "kissim";
  c.custtype = "P";
  return c;
}

gateway::gateway(const options& opts)
    : opts_(opts)
    , clock_(opts.clock ? opts.clock : default_wall_clock())
    , market_clock_(market_clock_for(opts, clock_))
    , market_(opts.symbols, opts.seed, market_clock_, opts.market_step, opts.multi_record_share,
              opts.sessions || opts.start_ns ? std::optional<kis::sessions::calendar>{opts.calendar}
                                             : std::nullopt)
    , exchange_(opts.fill_tape ? *opts.fill_tape : static_cast<tape&>(market_),
                opts.cred.account_no, opts.cred.account_product, opts.cred.hts_id,
                opts.initial_cash, opts.env == api::environment::paper)
    , tokens_(token_policy{opts.token_spacing, opts.token_reuse, opts.token_lifetime},
              opts.cred.app_key, opts.seed)
    , limiter_(opts.rate_limit > 0 ? opts.rate_limit : api::default_rate_limit(opts.env))
    , fault_gen_(opts.seed ^ 0xfa017ull)
    , hold_gen_(opts.seed ^ 0x401dull)
    , faults_(opts.fault) {
  exchange_.set_market_closed(faults_.market_closed);
  exchange_.on_notice = [this](const kis::execution_notice& n) { pending_.push_back(n); };
}

http_response gateway::handle(const http_request& req) {
  http_response r;
  {
    std::lock_guard lock{mu_};
    ++stats_.http_requests;
    exchange_.match();
    r = route(req);
  }
  flush();
  return r;
}

void gateway::flush() {
  std::lock_guard sink_lock{sink_mu_};
  std::vector<kis::execution_notice> out;
  {
    std::lock_guard lock{mu_};
    out.swap(pending_);
  }
  if (notice_sink)
    for (const auto& n : out)
      notice_sink(n);
}

std::optional<gateway::hang_rule> gateway::take_hang(std::string_view key) {
  auto it = std::find_if(hangs_.begin(), hangs_.end(),
                         [&](const hang_rule& h) { return h.key == key && h.count > 0; });
  if (it == hangs_.end())
    return std::nullopt;
  auto rule = *it;
  if (--it->count == 0)
    hangs_.erase(it);
  ++stats_.hung_responses;
  return rule;
}

http_response gateway::route(const http_request& req) {
  auto qpos = req.target.find('?');
  std::string_view path{req.target.data(), std::min(qpos, req.target.size())};
  const auto served = routes_at(path);
  if (served.empty())
    return reply::kis_error(404, "EGW00300", "요청하신 URL을 찾을 수 없습니다.");
  const auto& first = served.front();
  if (req.method != (first.post ? "POST" : "GET"))
    return bad_request();
  if (first.post && !json_content(req))
    return reply::kis_error(500, "EGW00132", "Content-Type이 유효하지 않습니다.");

  if (first.oauth) {
    auto hang = take_hang(first.path);
    if (hang && !hang->execute)
      return hung();
    auto r = oauth(first.what, req);
    r.hang = hang.has_value();
    return r;
  }

  auto tr = header(req, "tr_id");
  if (auto refused = check_credentials(req, tr))
    return *refused;
  if (first.what == service::hashkey)
    return hashkey(req);
  if (auto refused = check_token(req, tr))
    return *refused;
  if (auto refused = check_custtype(req, tr))
    return *refused;

  // The budget counts every authenticated call, whatever becomes of it afterwards.
  const auto now = clock_->now_ns();
  count_arrival(now);
  if (!limiter_.admit(now)) {
    ++stats_.rate_rejections;
    return reply::kis_error(500, "EGW00201", "초당 거래건수를 초과하였습니다.", tr);
  }

  const auto m = match(path, tr, opts_.env);
  if (m.r == nullptr) {
    if (opts_.env == api::environment::paper && real_only(path, tr))
      return reply::kis_error(500, "EGW02006", "모의투자 TR이 아닙니다.", tr);
    return reply::kis_error(200, "OPSQ0002", "없는 서비스 코드 입니다", tr);
  }
  ++stats_.calls_by_tr_id[tr];
  if (m.tr->legacy)
    ++stats_.legacy_tr_calls;

  if (faults_.error_rate > 0 && fault_gen_.unit() < faults_.error_rate) {
    ++stats_.injected_errors;
    return reply::kis_error(500, "EGW00001", "일시적인 오류가 발생했습니다.", tr);
  }
  auto hang = take_hang(tr);
  if (hang && !hang->execute)
    return hung();

  call c;
  c.r = m.r;
  c.tr_id = tr;
  c.tr_cont = header(req, "tr_cont");
  c.req = &req;
  const auto query = qpos == std::string::npos ? std::string_view{}
                                               : std::string_view{req.target}.substr(qpos + 1);
  if (auto refused = read_params(c, query))
    return *refused;
  auto r = dispatch(c);
  r.hang = hang.has_value();
  r.delay = faults_.delay;
  if (faults_.hold_rate > 0 && hold_gen_.unit() < faults_.hold_rate) {
    ++stats_.held_responses;
    r.delay += faults_.hold_for;
  }
  return r;
}

// Query names are matched without regard to case (the portal spells them in upper case, the
// Postman samples in lower case); JSON body keys must be upper case, as KIS wants them. With
// strict_params every documented parameter must be there, blank where it is optional.
std::optional<http_response> gateway::read_params(call& c, std::string_view query) {
  if (!c.r->post) {
    c.params = parse_query(query);
  } else {
    auto body = parse_object(c.req->body);
    if (!body)
      return reply::kis_error(200, "OPSQ9995", "JSON PARSING ERROR : invalid json format", c.tr_id);
    for (const auto& [k, v] : *body) {
      if (!v.is_string())
        return reply::kis_error(200, "OPSQ2002", "ERROR : INPUT_FIELD_TYPE " + api::ascii_upper(k),
                                c.tr_id);
      c.params[opts_.strict_params ? std::string{k} : api::ascii_upper(k)] =
          std::string{v.as_string()};
    }
    auto hash = header(*c.req, "hashkey");
    if (!hash.empty() && hash != sha256_hex(c.req->body))
      return reply::kis_error(500, "EGW00131", "유효하지 않은 hashkey입니다.", c.tr_id);
  }
  if (!opts_.strict_params)
    return std::nullopt;
  for (auto name : c.r->params) {
    const bool may_lack =
        std::find(c.r->optional.begin(), c.r->optional.end(), name) != c.r->optional.end();
    if (!may_lack && c.params.find(std::string{name}) == c.params.end())
      return reply::kis_error(200, "OPSQ2001", "ERROR : INPUT_FIELD_NAME " + std::string{name},
                              c.tr_id);
  }
  return std::nullopt;
}

http_response gateway::dispatch(const call& c) {
  try {
    switch (c.r->what) {
    case service::price:
      return inquire_price(c);
    case service::daily_price:
      return inquire_daily_price(c);
    case service::daily_chart:
      return inquire_chart(c);
    case service::minute_chart:
      return inquire_minutes(c);
    case service::search_info:
      return search_info(c);
    case service::search_stock_info:
      return search_stock_info(c);
    case service::order_buy:
    case service::order_sell:
      return order_cash(c);
    case service::revise_cancel:
      return order_revise(c);
    case service::revisable:
      return inquire_revisable(c);
    case service::balance:
      return inquire_balance(c);
    case service::buyable:
      return inquire_buyable(c);
    case service::sellable:
      return inquire_sellable(c);
    case service::daily_fills:
      return inquire_fills(c);
    case service::holidays:
      return chk_holiday(c);
    default:
      break;
    }
    return reply::kis_error(200, "OPSQ0002", "없는 서비스 코드 입니다", c.tr_id);
  } catch (const detail::input_error& e) {
    return reply::kis_error(200, e.code, e.text, c.tr_id);
  }
}

// Every uapi call counts where it arrives, before any answer is computed, delayed or held.
void gateway::count_arrival(std::int64_t now_ns) {
  arrivals_.add(now_ns);
  stats_.max_calls_in_window =
      std::max<std::uint64_t>(stats_.max_calls_in_window, arrivals_.count(now_ns));
  arrival_log_.push_back(now_ns);
  if (arrival_log_.size() > 65'536)
    arrival_log_.pop_front();
}

std::optional<http_response> gateway::check_credentials(const http_request& req,
                                                        std::string_view tr) {
  auto refuse = [&](std::string_view code, std::string_view text) {
    ++stats_.auth_failures;
    return reply::kis_error(403, code, text, tr);
  };
  auto key = header(req, "appkey"), secret = header(req, "appsecret");
  if (auto bad = key_refusal(key, secret, opts_.cred))
    return refuse(bad->code, bad->text);
  return std::nullopt;
}

std::optional<http_response> gateway::check_token(const http_request& req, std::string_view tr) {
  auto refuse = [&](std::string_view code, std::string_view text) {
    ++stats_.auth_failures;
    return reply::kis_error(500, code, text, tr);
  };
  auto auth = header(req, "authorization");
  constexpr std::string_view bearer = "Bearer ";
  if (auth.rfind(bearer, 0) != 0)
    return refuse("EGW00205", "credentials_type이 유효하지 않습니다.(Bearer)");
  switch (tokens_.check(std::string_view{auth}.substr(bearer.size()), clock_->now_ns())) {
  case token_check::ok:
    return std::nullopt;
  case token_check::expired:
    return refuse("EGW00123", "기간이 만료된 token 입니다.");
  case token_check::invalid:
    break;
  }
  return refuse("EGW00121", "유효하지 않은 token 입니다.");
}

// KIS treats a missing custtype as an individual's (python-kis and mojito never send it and
// work live); a present one must be P or B and match the account.
std::optional<http_response> gateway::check_custtype(const http_request& req, std::string_view tr) {
  auto it = req.headers.find("custtype");
  if (it == req.headers.end() || it->second == opts_.cred.custtype)
    return std::nullopt;
  ++stats_.auth_failures;
  return reply::kis_error(500, "EGW00208", "custtype이 유효하지 않습니다.", tr);
}

http_response gateway::oauth(service what, const http_request& req) {
  auto body = parse_object(req.body);
  if (!body)
    return reply::oauth_error(400, "EGW00101", "유효하지 않은 요청입니다.");
  const bool approval = what == service::approval_key;
  if (what != service::token_revoke) {
    auto grant = string_field(*body, "grant_type");
    if (grant.empty())
      return reply::oauth_error(400, "EGW00115", "grant_type은 필수입니다.");
    if (grant != "client_credentials")
      return reply::oauth_error(400, "EGW00116", "지원하지 않는 grant_type입니다.");
  }
  // Approval names the secret "secretkey" (KIS-PROTOCOL.md §2.4).
  auto key = string_field(*body, "appkey");
  auto secret = string_field(*body, approval ? "secretkey" : "appsecret");
  auto refuse = [&](std::string_view code, std::string_view text) {
    ++stats_.auth_failures;
    return reply::oauth_error(403, code, text);
  };
  if (auto bad = key_refusal(key, secret, opts_.cred))
    return refuse(bad->code, bad->text);

  const auto now = clock_->now_ns();
  if (approval) {
    ++stats_.approval_issues;
    return reply::json(200, {{"approval_key", tokens_.issue_approval(now)}});
  }
  if (what == service::token_revoke) {
    if (!tokens_.revoke(string_field(*body, "token")))
      return refuse("EGW00121", "유효하지 않은 token 입니다.");
    return reply::json(200, {{"code", 200}, {"message", "접근토큰 폐기에 성공하였습니다"}});
  }
  ++stats_.token_requests;
  auto got = tokens_.issue(now);
  if (got.what == token_authority::outcome::too_soon) {
    ++stats_.token_too_soon;
    return reply::oauth_error(403, "EGW00133", "접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)");
  }
  if (got.what == token_authority::outcome::issued)
    ++stats_.token_issues;
  return reply::json(
      200, {{"access_token", got.token.value},
            {"access_token_token_expired", api::kst::format_datetime(got.token.expires_ns)},
            {"token_type", "Bearer"},
            {"expires_in", (got.token.expires_ns - now) / 1'000'000'000}});
}

http_response gateway::hashkey(const http_request& req) {
  const auto now = clock_->now_ns();
  count_arrival(now);
  if (!limiter_.admit(now)) {
    ++stats_.rate_rejections;
    return reply::kis_error(500, "EGW00201", "초당 거래건수를 초과하였습니다.");
  }
  auto body = parse_object(req.body);
  if (!body)
    return bad_request();
  return reply::json(200, {{"BODY", *body}, {"HASH", sha256_hex(req.body)}});
}

// --- the test switches -------------------------------------------------------------------

bool gateway::accept_approval_key(std::string_view key) const {
  std::lock_guard lock{mu_};
  return tokens_.approval_valid(key, clock_->now_ns());
}

std::string gateway::approval_owner(std::string_view key) const {
  if (!accept_approval_key(key))
    return {};
  return std::to_string(fnv1a(opts_.cred.app_key));
}

void gateway::tick() {
  {
    std::lock_guard lock{mu_};
    exchange_.match();
  }
  flush();
}

sim::stats gateway::stats() const {
  std::lock_guard lock{mu_};
  auto s = stats_;
  s.fills = exchange_.fills();
  return s;
}

std::vector<order_log_entry> gateway::orders() const {
  std::lock_guard lock{mu_};
  return order_log_;
}

void gateway::set_faults(const faults& f) {
  std::lock_guard lock{mu_};
  faults_ = f;
  exchange_.set_market_closed(f.market_closed);
}

void gateway::hang_next(std::string tr_id, int count, bool execute) {
  std::lock_guard lock{mu_};
  hangs_.push_back(hang_rule{std::move(tr_id), count, execute});
}

void gateway::expire_tokens() {
  std::lock_guard lock{mu_};
  tokens_.expire_all();
}

void gateway::forget_tokens() {
  std::lock_guard lock{mu_};
  tokens_.forget_all();
}

std::vector<std::int64_t> gateway::call_arrivals() const {
  std::lock_guard lock{mu_};
  return {arrival_log_.begin(), arrival_log_.end()};
}

std::vector<std::string> gateway::issued_secrets() const {
  std::lock_guard lock{mu_};
  return tokens_.issued();
}

void gateway::step_market(std::int64_t steps) {
  {
    std::lock_guard lock{mu_};
    market_.step(steps);
    exchange_.match();
  }
  flush();
}

kis::quote gateway::quote(std::string_view symbol) {
  std::lock_guard lock{mu_};
  return market_.known(symbol) ? market_.quote(symbol) : kis::quote{};
}

std::vector<std::string> gateway::symbols() const {
  std::lock_guard lock{mu_};
  return market_.symbols();
}

std::int64_t gateway::cash() const {
  std::lock_guard lock{mu_};
  return exchange_.deposit();
}

std::vector<kis::holding> gateway::holdings() {
  std::lock_guard lock{mu_};
  return exchange_.holdings();
}

} // namespace kis::sim
