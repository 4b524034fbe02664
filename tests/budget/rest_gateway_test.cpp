// The REST gateway with a scripted transport, a real governor and a real token keeper on the
// virtual clock: decoding, the quote cache and coalescing, retries of queries, orders never
// retried, the refused-token path and paging.
#include "budget_fixture.hpp" // first: it brings CAF's test DSL before gtest

#include <functional>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include "actors/budget/rate_governor.hpp"
#include "actors/budget/rest_gateway.hpp"
#include "actors/budget/token_keeper.hpp"
#include "kis/kst.hpp"
#include "messages/errors.hpp"
#include "support/http_reply.hpp"
#include "support/metrics_probe.hpp"

using namespace std::chrono_literals;

namespace {

using kis::test::reply;

constexpr std::string_view price_body =
    R"({"output":{"stck_prpr":"70100","prdy_vrss":"-400","prdy_vrss_sign":"5","prdy_ctrt":"-0.57",
 "acml_tr_pbmn":"86543210000","acml_vol":"1234567","stck_oprc":"70500","stck_hgpr":"70900",
 "stck_lwpr":"69800","stck_mxpr":"91600","stck_llam":"49400","stck_sdpr":"70500",
 "aspr_unit":"100","temp_stop_yn":"N","stck_shrn_iscd":"005930"},"rt_cd":"0",
 "msg_cd":"MCA00000","msg1":"ok"})";

constexpr std::string_view balance_body =
    R"({"ctx_area_fk100":"50000000^01^N^N^02^01^N^N","ctx_area_nk100":"005930^",
 "output1":[{"pdno":"005930","prdt_name":"S","hldg_qty":"10","ord_psbl_qty":"10",
 "pchs_avg_pric":"70123.5000","prpr":"70100","evlu_amt":"701000","evlu_pfls_amt":"-235"}],
 "output2":[{"dnca_tot_amt":"98000000","tot_evlu_amt":"98700000","nass_amt":"98700000",
 "pchs_amt_smtl_amt":"1241235","evlu_amt_smtl_amt":"1244000","evlu_pfls_smtl_amt":"2765"}],
 "rt_cd":"0","msg_cd":"KIOK0510","msg1":"ok"})";

std::string chart_body(int rows, std::int32_t newest) {
  boost::json::array out2;
  auto date = newest;
  for (int i = 0; i < rows; ++i) {
    out2.push_back(boost::json::object{{"stck_bsop_date", kis::api::kst::format_date(date)},
                                       {"stck_clpr", "70000"},
                                       {"stck_oprc", "69900"},
                                       {"stck_hgpr", "70500"},
                                       {"stck_lwpr", "69500"},
                                       {"acml_vol", "1000"},
                                       {"acml_tr_pbmn", "70000000"}});
    date = kis::api::kst::add_days(date, -1);
  }
  boost::json::object root{{"rt_cd", "0"}, {"msg_cd", "MCA00000"}, {"msg1", "ok"}};
  root["output1"] = boost::json::object{{"stck_prpr", "70100"}};
  root["output2"] = std::move(out2);
  return boost::json::serialize(root);
}

std::string rejection(std::string_view code) {
  return R"({"rt_cd":"1","msg_cd":")" + std::string{code} + R"(","msg1":"refused"})";
}

// Holds every request until the test answers it.
struct scripted_transport final : kis::rest_transport {
  struct pending {
    kis::api::http_request req;
    std::function<void(kis::http_exchange)> done;
  };
  std::vector<pending> seen;

  bool leave_at_once = true; // false: requests stay in the "pool" until left(i)
  void submit(kis::api::http_request req, std::function<void(kis::http_exchange)> done) override {
    if (leave_at_once && req.on_leave)
      req.on_leave(); // as libcurl's pre-request callback does when a connection is free
    seen.push_back({std::move(req), std::move(done)});
  }

  std::string header(std::size_t i, std::string_view name) const {
    for (const auto& h : seen.at(i).req.headers)
      if (h.name == name)
        return h.value;
    return {};
  }
};

struct RestGatewayTest : kis::test::budget_fixture {
  std::shared_ptr<kis::manual_wall_clock> wall = std::make_shared<kis::manual_wall_clock>();
  std::shared_ptr<scripted_transport> net = std::make_shared<scripted_transport>();
  int tokens_issued = 0;
  kis::rate_governor_actor gov;
  kis::token_keeper_actor keeper;
  kis::rest_gateway_actor gw;

  void SetUp() override {
    kis::governor_config pace;
    pace.query_spacing = 0; // these tests are about the gateway, not the pacing
    gov = kis::spawn_rate_governor(sys, pace);
    kis::token_keeper_config kc;
    kc.clock = wall;
    // The fake tokenP answers at once: tok-1, tok-2, ...
    keeper = kis::spawn_token_keeper(sys, kc, [this](kis::endpoint_id, kis::oauth_done done) {
      auto body = R"({"access_token":"tok-)" + std::to_string(++tokens_issued) +
                  R"(","token_type":"Bearer","access_token_token_expired":")" +
                  kis::api::kst::format_datetime(wall->now_ns() + 86'400'000'000'000) + "\"}";
      done(reply(200, body));
    });
    kis::gateway_config gc;
    gc.base_url = "http://127.0.0.1:9";
    gc.cred = {"PSappkey", "secret", "50000000", "01", "hts", "P"};
    gc.transport = net;
    gc.clock = wall;
    gw = kis::spawn_rest_gateway(sys, gc, gov, keeper);
    sched.run();
  }
  void TearDown() override {
    for (auto a : {caf::actor_cast<caf::actor>(gw), caf::actor_cast<caf::actor>(keeper),
                   caf::actor_cast<caf::actor>(gov)})
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched.run();
  }

  void answer(std::size_t i, kis::http_exchange ex) {
    net->seen.at(i).done(std::move(ex));
    sched.run();
  }

  void advance(std::chrono::nanoseconds d) {
    wall->advance(d);
    sched.advance_time(d);
    sched.run();
  }

  template <class T>
  std::vector<T> values() {
    std::vector<T> out;
    bool more = true;
    while (more)
      self->receive([&](const T& x) { out.push_back(x); },
                    caf::after(std::chrono::seconds(0)) >> [&] { more = false; });
    return out;
  }

  kis::errc error_code() {
    kis::errc code = kis::errc::none;
    self->receive([&](caf::error& e) { code = kis::view(e).code; },
                  caf::after(std::chrono::seconds(0)) >> [] {});
    return code;
  }

  kis::api_stats stats() {
    kis::api_stats st;
    auto h = self->request(gov, caf::infinite, caf::get_atom_v, kis::stats_atom_v);
    sched.run();
    h.receive([&](const kis::api_stats& s) { st = s; }, [](caf::error&) {});
    return st;
  }
};

kis::order_request buy() {
  return {"c-1", "005930", kis::side::buy, kis::order_kind::limit, 10, 70000};
}

} // namespace

TEST_F(RestGatewayTest, QuoteCarriesTokenAndTrIdAndIsCachedForItsTtl) {
  self->send(gw, kis::price_query{"005930", "J", true});
  sched.run();
  ASSERT_EQ(net->seen.size(), 1u);
  EXPECT_EQ(net->header(0, "authorization"), "Bearer tok-1");
  EXPECT_EQ(net->header(0, "tr_id"), "FHKST01010100");
  answer(0, reply(200, price_body));
  auto q = values<kis::quote>();
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].price, 70100);
  self->send(gw, kis::price_query{"005930", "J", true});
  sched.run();
  EXPECT_EQ(values<kis::quote>().size(), 1u);
  EXPECT_EQ(net->seen.size(), 1u); // served from the cache
  advance(1s);
  self->send(gw, kis::price_query{"005930", "J", true});
  sched.run();
  EXPECT_EQ(net->seen.size(), 2u); // expired
  EXPECT_EQ(stats().successes, 1u);
}

TEST_F(RestGatewayTest, ConcurrentIdenticalQuotesShareOneCall) {
  for (int i = 0; i < 5; ++i)
    self->send(gw, kis::price_query{"005930", "J", true});
  self->send(gw, kis::price_query{"000660", "J", true});
  sched.run();
  ASSERT_EQ(net->seen.size(), 2u);
  answer(0, reply(200, price_body));
  EXPECT_EQ(values<kis::quote>().size(), 5u);
  EXPECT_EQ(stats().total_calls, 2u);
}

TEST_F(RestGatewayTest, OrderWithUnknownOutcomeIsNeverRetried) {
  self->send(gw, buy());
  sched.run();
  ASSERT_EQ(net->seen.size(), 1u);
  EXPECT_EQ(net->header(0, "tr_id"), "TTTC0012U");
  kis::http_exchange lost;
  lost.sent = true;
  lost.transport_error = "timeout after the request left";
  answer(0, lost);
  EXPECT_EQ(error_code(), kis::errc::outcome_unknown);
  run_all_timers();
  EXPECT_EQ(net->seen.size(), 1u);

  self->send(gw, buy());
  sched.run();
  answer(1, reply(500, rejection("EGW00302")));
  EXPECT_EQ(error_code(), kis::errc::outcome_unknown);
  run_all_timers();
  EXPECT_EQ(net->seen.size(), 2u);
}

TEST_F(RestGatewayTest, OrderWithRefusedTokenIsAnsweredNotResent) {
  self->send(gw, buy());
  sched.run();
  answer(0, reply(500, rejection("EGW00123")));
  EXPECT_EQ(error_code(), kis::errc::token_expired);
  advance(61s); // the keeper issues the next token; the order is not resent with it
  EXPECT_EQ(tokens_issued, 2);
  EXPECT_EQ(net->seen.size(), 1u);
}

TEST_F(RestGatewayTest, QueryIsRetriedAfterRateLimitWithBackOff) {
  self->send(gw, kis::price_query{"005930", "J", false});
  sched.run();
  answer(0, reply(500, rejection("EGW00201")));
  EXPECT_TRUE(values<kis::quote>().empty());
  EXPECT_EQ(stats().rate_limited, 1u);
  EXPECT_LT(stats().effective_rate, 18.0);
  run_all_timers();
  ASSERT_EQ(net->seen.size(), 2u);
  answer(1, reply(200, price_body));
  EXPECT_EQ(values<kis::quote>().size(), 1u);
}

TEST_F(RestGatewayTest, QueryGivesUpAfterItsRetries) {
  self->send(gw, kis::price_query{"005930", "J", false});
  sched.run();
  for (std::size_t i = 0; i < 4; ++i) {
    ASSERT_EQ(net->seen.size(), i + 1);
    kis::http_exchange down;
    down.transport_error = "connection refused";
    answer(i, down);
    run_all_timers();
  }
  EXPECT_EQ(error_code(), kis::errc::transport);
  EXPECT_EQ(net->seen.size(), 4u); // one call and three retries
}

TEST_F(RestGatewayTest, ExpiredTokenIsReplacedAndTheQueryRetriedOnce) {
  self->send(gw, kis::balance_query{});
  sched.run();
  advance(61s); // past the keeper's one-issue-a-minute rule
  answer(0, reply(500, rejection("EGW00123")));
  ASSERT_EQ(net->seen.size(), 2u);
  EXPECT_EQ(net->header(1, "authorization"), "Bearer tok-2");
  answer(1, reply(500, rejection("EGW00123")));
  EXPECT_EQ(error_code(), kis::errc::token_expired); // only once
  EXPECT_EQ(net->seen.size(), 2u);
}

TEST_F(RestGatewayTest, BalanceFollowsTrContAndContextAreas) {
  self->send(gw, kis::balance_query{});
  sched.run();
  EXPECT_EQ(net->header(0, "tr_cont"), "");
  answer(0, reply(200, balance_body, "M"));
  ASSERT_EQ(net->seen.size(), 2u);
  EXPECT_EQ(net->header(1, "tr_cont"), "N");
  EXPECT_NE(net->seen[1].req.url.find("CTX_AREA_NK100=005930"), std::string::npos);
  answer(1, reply(200, balance_body, "D"));
  auto b = values<kis::balance>();
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].holdings.size(), 2u);
  EXPECT_EQ(b[0].deposit, 98000000);
}

TEST_F(RestGatewayTest, ChartPagesBackPastOneHundredRows) {
  self->send(gw, kis::chart_query{"005930", 20240101, 20241231, 'D', true, "J"});
  sched.run();
  answer(0, reply(200, chart_body(100, 20241231)));
  ASSERT_EQ(net->seen.size(), 2u);
  // The second page ends the day before the oldest row of the first.
  const auto oldest = kis::api::kst::add_days(20241231, -99);
  const auto next = std::to_string(kis::api::kst::add_days(oldest, -1));
  EXPECT_NE(net->seen[1].req.url.find("FID_INPUT_DATE_2=" + next), std::string::npos);
  answer(1, reply(200, chart_body(40, kis::api::kst::add_days(oldest, -1))));
  auto bars = values<std::vector<kis::daily_bar>>();
  ASSERT_EQ(bars.size(), 1u);
  EXPECT_EQ(bars[0].size(), 140u);
}

TEST_F(RestGatewayTest, BadInputIsATypedErrorWithoutACall) {
  self->send(gw, kis::price_query{"", "J", true});
  sched.run();
  EXPECT_EQ(error_code(), kis::errc::invalid_argument);
  self->send(gw, kis::rest_call{kis::endpoint_id::token_issue, {}, "", kis::permit_class::order});
  sched.run();
  EXPECT_EQ(error_code(), kis::errc::invalid_argument);
  EXPECT_TRUE(net->seen.empty());
  EXPECT_EQ(stats().total_calls, 0u);
}

TEST_F(RestGatewayTest, ReportsCallsByEndpointAndOutcomeRetriesCacheHitsAndCoalescing) {
  namespace m = kis::metric_names;
  using kis::test::find_value;
  kis::test::metrics_probe probe{sys};
  sched.run();
  for (int i = 0; i < 3; ++i)
    self->send(gw, kis::price_query{"005930", "J", true});
  sched.run();
  ASSERT_EQ(net->seen.size(), 1u); // two coalesced into the first
  answer(0, reply(200, price_body));
  EXPECT_EQ(values<kis::quote>().size(), 3u);
  self->send(gw, kis::price_query{"005930", "J", true}); // from the cache
  sched.run();
  EXPECT_EQ(values<kis::quote>().size(), 1u);
  self->send(gw, kis::price_query{"000660", "J", false});
  sched.run();
  ASSERT_EQ(net->seen.size(), 2u);
  answer(1, reply(500, rejection("EGW00201"))); // retried after a back-off
  for (int i = 0; i < 10 && net->seen.size() < 3; ++i)
    advance(1s);
  ASSERT_EQ(net->seen.size(), 3u);
  answer(2, reply(200, price_body));
  EXPECT_EQ(values<kis::quote>().size(), 1u);
  self->send(gw, kis::price_query{"", "J", true}); // refused before any call
  sched.run();
  EXPECT_EQ(error_code(), kis::errc::invalid_argument);
  advance(1s); // the gateway is quiet now: its trailing publish reports the last calls

  auto s = probe.sample_of(self, sched, "rest_gateway");
  EXPECT_EQ(s.role, "rest_gateway");
  EXPECT_EQ(
      find_value(s, "gateway_calls_total", {{"endpoint", "inquire_price"}, {"outcome", "success"}}),
      2.0);
  EXPECT_EQ(find_value(s, "gateway_calls_total",
                       {{"endpoint", "inquire_price"}, {"outcome", "rate_limited"}}),
            1.0);
  EXPECT_EQ(find_value(s, "gateway_retries_total", {{"reason", "backoff"}}), 1.0);
  EXPECT_EQ(find_value(s, "gateway_retries_total", {{"reason", "token"}}), 0.0);
  EXPECT_EQ(find_value(s, "gateway_quote_cache_hits_total"), 1.0);
  EXPECT_EQ(find_value(s, "gateway_quotes_coalesced_total"), 2.0);
  EXPECT_EQ(find_value(s, m::api_error_codes_total, {{"code", "EGW00201"}}), 1.0);
  EXPECT_EQ(find_value(s, "gateway_call_errors_total", {{"code", "invalid_argument"}}), 1.0);
  EXPECT_EQ(find_value(s, "gateway_calls_in_flight"), 0.0);
  EXPECT_GE(s.processed, 8u);
  // The call total is the governor's figure alone, so the engine summary counts each call once.
  EXPECT_FALSE(kis::find_total(s, m::rest_calls_total).has_value());
  EXPECT_EQ(kis::find_total(probe.sample_of(self, sched, "rate_governor"), m::rest_calls_total),
            3.0);
}

// A caller that dies while its calls wait for permits gives up its place in line: the governor
// no longer holds its requests, and none of them reaches the wire later.
TEST_F(RestGatewayTest, ADeadCallerReleasesItsQueuedPermitRequests) {
  constexpr int calls = 22; // more than one second's permits: some wait
  auto doomed = sys.spawn([this](caf::event_based_actor* a) -> caf::behavior {
    for (int i = 0; i < calls; ++i) {
      kis::price_query q{"0059" + std::to_string(10 + i), "J", false};
      a->request(gw, caf::infinite, q).then([](const kis::quote&) {}, [](caf::error&) {});
    }
    return {[](int) {}};
  });
  sched.run();
  const auto sent = net->seen.size();
  auto market = static_cast<std::size_t>(kis::permit_class::market_data);
  const auto waiting = stats().waiting_by_class.at(market);
  EXPECT_GT(waiting, 0u);
  EXPECT_EQ(sent + waiting, static_cast<std::size_t>(calls));
  caf::anon_send_exit(doomed, caf::exit_reason::kill);
  sched.run();
  EXPECT_EQ(stats().waiting_by_class.at(market), 0u);
  advance(2s); // a new second: nothing of the dead caller is granted or sent
  EXPECT_EQ(net->seen.size(), sent);
}

// A shared (coalesced) quote keeps its place while a living caller still waits for it.
TEST_F(RestGatewayTest, ASharedCallOutlivesOneOfItsCallers) {
  auto doomed = sys.spawn([this](caf::event_based_actor* a) -> caf::behavior {
    a->request(gw, caf::infinite, kis::price_query{"005930", "J", true})
        .then([](const kis::quote&) {}, [](caf::error&) {});
    return {[](int) {}};
  });
  sched.run();
  auto h = self->request(gw, caf::infinite, kis::price_query{"005930", "J", true});
  sched.run();
  caf::anon_send_exit(doomed, caf::exit_reason::kill);
  sched.run();
  ASSERT_EQ(net->seen.size(), 1u);
  answer(0, reply(200, price_body));
  std::int64_t price = 0;
  h.receive([&](const kis::quote& q) { price = q.price; }, [](caf::error&) {});
  EXPECT_EQ(price, 70100);
}

// A token KIS refused is dead: the calls already in flight with it come back refused, and
// none leaves with it again -- neither those waiting for a permit nor new ones. They wait for
// the keeper's next token (one issue a minute) and then go, each once.
TEST_F(RestGatewayTest, ARefusedTokenNeverLeavesAgainAndTheWaitingCallsUseTheNewOne) {
  const std::vector<std::string> symbols = {"000660", "005380", "035420", "051910", "068270"};
  for (int i = 0; i < 25; ++i) // a second's budget leaves at once, the rest wait for permits
    self->send(gw, kis::price_query{symbols[i % 5] + std::to_string(i), "J", false});
  sched.run();
  const auto first = net->seen.size();
  ASSERT_GE(first, 10u);
  ASSERT_LT(first, 25u);
  for (std::size_t i = 0; i < first; ++i)
    answer(i, reply(500, rejection("EGW00121")));
  EXPECT_EQ(net->seen.size(), first);
  self->send(gw, kis::price_query{"999990", "J", false}); // a new call after the refusal
  sched.run();
  advance(2s); // the window frees up: the waiting calls get permits, but hold a dead token
  EXPECT_EQ(net->seen.size(), first);
  advance(60s); // the keeper may issue again
  for (int i = 0; i < 4; ++i)
    advance(1s);                            // within the budget, a second at a time
  ASSERT_EQ(net->seen.size(), first + 26u); // every call once more, the new one too
  for (std::size_t i = 0; i < net->seen.size(); ++i)
    EXPECT_EQ(net->header(i, "authorization"), i < first ? "Bearer tok-1" : "Bearer tok-2") << i;
  EXPECT_EQ(tokens_issued, 2);
}

// A request that could not leave before its permit's deadline (a stalled pool) gives the
// permit back: it counts for nothing at the governor, and the call asks for another.
TEST_F(RestGatewayTest, ALateRequestGivesItsPermitBackAndAsksAgain) {
  net->leave_at_once = false;
  self->send(gw, kis::price_query{"005930", "J", false});
  sched.run();
  ASSERT_EQ(net->seen.size(), 1u);
  EXPECT_NE(net->seen[0].req.leave_by, std::chrono::steady_clock::time_point{});
  kis::http_exchange late;
  late.late = true;
  late.transport_error = "did not leave in time";
  answer(0, late);
  ASSERT_EQ(net->seen.size(), 2u); // asked again, not failed, not counted as a retry
  net->seen[1].req.on_leave();
  sched.run();
  answer(1, reply(200, price_body));
  EXPECT_EQ(values<kis::quote>().size(), 1u);
  EXPECT_EQ(stats().total_calls, 1u); // the returned permit was never a call
}
