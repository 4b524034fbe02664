// The protocol library (transport + codec) against kis-sim on loopback, real and paper: every
// endpoint, the rate limit, token spacing and paging to the last page.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>

#include "kis/http_transport.hpp"
#include "kis/kst.hpp"
#include "kis/rest_codec.hpp"
#include "sim/server.hpp"

namespace {

using namespace kis::api;
using kis::endpoint_id;
using kis::errc;

class SimRest : public ::testing::TestWithParam<environment> {
protected:
  // frozen: the simulator's clock stands still, so a burst is one instant to its limiter
  // however slowly a loaded machine delivers it.
  void start(int rate_limit, bool frozen = false) {
    kis::sim::options o;
    o.env = GetParam();
    o.rate_limit = rate_limit;
    o.seed = 7;
    if (frozen)
      o.clock = std::make_shared<kis::manual_wall_clock>();
    sim = std::make_unique<kis::sim::server>(o);
    sim->start();
    ctx = call_context{GetParam(), sim->rest_url(), o.cred, {}};
  }

  // Builds, sends and classifies one call.
  result<boost::json::object> call(endpoint_id id, const std::vector<kis::field>& params,
                                   std::string_view tr_cont = {},
                                   std::string* tr_cont_out = nullptr) {
    auto req = build_request(id, ctx, params, tr_cont);
    if (!req)
      return std::move(req).error();
    auto ex = transport.perform(std::move(*req));
    if (tr_cont_out != nullptr)
      *tr_cont_out = ex.tr_cont;
    return parse_reply(ex);
  }

  void issue_token() {
    auto root = call(endpoint_id::token_issue, {});
    ASSERT_TRUE(root) << root.error().message;
    auto tok = decode_token(*root, 0);
    ASSERT_TRUE(tok) << tok.error().message;
    ctx.token = tok->value;
  }

  template <class T>
  static T unwrap(result<T> r) {
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? std::move(r).value() : T{};
  }

  std::unique_ptr<kis::sim::server> sim;
  http_transport transport;
  call_context ctx;
};

TEST_P(SimRest, EveryEndpointRoundTrips) {
  start(1000);
  issue_token();
  auto symbols = sim->symbols();
  ASSERT_FALSE(symbols.empty());
  const auto& sym = symbols.front();
  const auto& cred = ctx.cred;

  auto approval = call(endpoint_id::approval_key, {});
  ASSERT_TRUE(approval) << approval.error().message;
  EXPECT_FALSE(unwrap(decode_approval(*approval, 0)).value.empty());

  auto q = unwrap(decode_quote(
      unwrap(call(endpoint_id::inquire_price, unwrap(price_params({sym, "J", false})))), sym));
  EXPECT_EQ(q.symbol, sym);
  EXPECT_GT(q.price, 0);
  EXPECT_LE(q.low, q.price);
  EXPECT_GE(q.high, q.price);

  auto today = kst::today(*kis::default_wall_clock());
  kis::chart_query cq{sym, kst::add_days(today, -60), today, 'D', true, "J"};
  auto daily = unwrap(decode_daily_prices(
      unwrap(call(endpoint_id::inquire_daily_price, unwrap(daily_price_params(cq)))), sym));
  EXPECT_FALSE(daily.empty());
  auto chart =
      unwrap(decode_chart(unwrap(call(endpoint_id::inquire_chart, unwrap(chart_params(cq)))), cq));
  EXPECT_FALSE(chart.bars.empty());

  auto buyable = unwrap(decode_buyable(
      unwrap(call(endpoint_id::inquire_buyable, unwrap(buyable_params(cred, {sym, q.price, 1})))),
      sym));
  EXPECT_GT(buyable.orderable_cash, 0);
  EXPECT_GT(buyable.max_qty, 0);

  // A market buy fills; a limit sell far above the market rests and is then cancelled.
  kis::order_request buy{"b1", sym, kis::side::buy, kis::order_kind::market, 2, 0};
  auto buy_ack = unwrap(decode_order_ack(
      unwrap(call(order_endpoint(buy.dir), unwrap(order_params(buy, cred)))), "b1"));
  EXPECT_FALSE(buy_ack.order_no.empty());
  EXPECT_FALSE(buy_ack.org_no.empty());

  auto hash = call(endpoint_id::hashkey, unwrap(order_params(buy, cred)));
  ASSERT_TRUE(hash) << hash.error().message;
  EXPECT_EQ(unwrap(decode_hashkey(*hash)).size(), 64u); // sha-256, hex

  kis::order_request sell{"s1", sym, kis::side::sell, kis::order_kind::limit, 1, q.upper_limit};
  auto sell_ack = unwrap(decode_order_ack(
      unwrap(call(order_endpoint(sell.dir), unwrap(order_params(sell, cred)))), "s1"));
  ASSERT_FALSE(sell_ack.order_no.empty());

  kis::revise_cancel_request cancel{"s1",
                                    sell_ack.org_no,
                                    sell_ack.order_no,
                                    kis::revise_or_cancel::cancel,
                                    kis::order_kind::limit,
                                    0,
                                    0,
                                    true};
  auto cancel_ack = unwrap(decode_order_ack(
      unwrap(call(endpoint_id::order_revise_cancel, unwrap(revise_cancel_params(cancel, cred)))),
      "s1"));
  EXPECT_FALSE(cancel_ack.order_no.empty());

  auto bal = unwrap(decode_balance(
      unwrap(call(endpoint_id::inquire_balance, unwrap(balance_params(cred, {})))), "D"));
  ASSERT_EQ(bal.value.holdings.size(), 1u);
  EXPECT_EQ(bal.value.holdings[0].symbol, sym);
  EXPECT_EQ(bal.value.holdings[0].qty, 2);

  auto fills =
      unwrap(decode_fills(unwrap(call(endpoint_id::inquire_daily_fills,
                                      unwrap(fills_params(cred, {today, today, "", "", 0})))),
                          "D"));
  EXPECT_EQ(fills.rows.size(), 3u); // buy, sell, cancel

  auto revoke = call(endpoint_id::token_revoke, {});
  EXPECT_TRUE(revoke) << revoke.error().message;

  auto stats = sim->stats();
  auto tr = [&](std::string_view real, std::string_view paper) {
    return std::string{GetParam() == environment::real ? real : paper};
  };
  EXPECT_EQ(stats.calls_by_tr_id[tr("TTTC0012U", "VTTC0012U")], 1u);
  EXPECT_EQ(stats.calls_by_tr_id[tr("TTTC0011U", "VTTC0011U")], 1u);
  EXPECT_EQ(stats.calls_by_tr_id[tr("TTTC0013U", "VTTC0013U")], 1u);
  EXPECT_EQ(stats.calls_by_tr_id["FHKST01010100"], 1u);
  EXPECT_EQ(stats.rate_rejections, 0u);
}

TEST_P(SimRest, ABurstOverTheLimitGetsEGW00201) {
  start(0, true); // the KIS default: 18/s real, 1/s paper
  issue_token();
  auto params = unwrap(price_params({sim->symbols().front(), "J", false}));
  auto req = unwrap(build_request(endpoint_id::inquire_price, ctx, params));
  constexpr int burst = 40;
  std::mutex mtx;
  std::condition_variable cv;
  int done = 0, limited = 0, ok = 0;
  for (int i = 0; i < burst; ++i)
    transport.submit(req, [&](kis::http_exchange ex) {
      auto r = parse_reply(ex);
      std::lock_guard guard{mtx};
      ++done;
      if (r)
        ++ok;
      else if (r.error().code == errc::rate_limited && r.error().kis_code == "EGW00201" &&
               r.error().http_status == 500)
        ++limited;
      cv.notify_all();
    });
  std::unique_lock lock{mtx};
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return done == burst; }));
  EXPECT_EQ(ok + limited, burst);
  EXPECT_GT(limited, 0);
  EXPECT_LE(ok, default_rate_limit(GetParam()));
  EXPECT_EQ(sim->stats().rate_rejections, static_cast<std::uint64_t>(limited));
}

TEST_P(SimRest, ASecondTokenInsideAMinuteGetsEGW00133) {
  start(1000);
  issue_token();
  auto again = call(endpoint_id::token_issue, {});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, errc::token_too_soon);
  EXPECT_EQ(again.error().kis_code, "EGW00133");
  EXPECT_EQ(again.error().http_status, 403);
  EXPECT_EQ(again.error().message.find(ctx.cred.app_secret), std::string::npos);
}

TEST_P(SimRest, WrongCredentialsAreAnAuthError) {
  start(1000);
  ctx.cred.app_secret = std::string(180, 'x');
  auto r = call(endpoint_id::token_issue, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::auth);
  EXPECT_EQ(r.error().message.find(ctx.cred.app_secret), std::string::npos);
}

TEST_P(SimRest, PagingWalksEveryPage) {
  start(100000);
  issue_token();
  const auto& cred = ctx.cred;
  auto symbols = sim->symbols();
  ASSERT_GE(symbols.size(), 60u);
  // 60 holdings and 120 fills: more than one page of each in both environments.
  for (int round = 0; round < 2; ++round)
    for (std::size_t i = 0; i < 60; ++i) {
      kis::order_request o{"c", symbols[i], kis::side::buy, kis::order_kind::market, 1, 0};
      ASSERT_TRUE(call(order_endpoint(o.dir), unwrap(order_params(o, cred))));
    }

  kis::balance all;
  int pages = 0;
  continuation next;
  std::string tr_cont;
  do {
    auto root =
        call(endpoint_id::inquire_balance, unwrap(balance_params(cred, {}, next.fk, next.nk)),
             pages == 0 ? "" : "N", &tr_cont);
    ASSERT_TRUE(root) << root.error().message;
    auto page = unwrap(decode_balance(*root, tr_cont));
    merge_balance(all, std::move(page.value));
    next = std::move(page.next);
    ASSERT_LT(++pages, 20);
  } while (next.more);
  EXPECT_GE(pages, 2);
  std::set<std::string> held;
  for (const auto& h : all.holdings) {
    EXPECT_EQ(h.qty, 2) << h.symbol;
    held.insert(h.symbol);
  }
  EXPECT_EQ(held.size(), 60u);
  EXPECT_EQ(all.holdings.size(), 60u); // no row twice

  auto today = kst::today(*kis::default_wall_clock());
  std::vector<kis::fill_record> fills;
  pages = 0;
  next = {};
  do {
    auto root = call(endpoint_id::inquire_daily_fills,
                     unwrap(fills_params(cred, {today, today, "", "", 0}, next.fk, next.nk)),
                     pages == 0 ? "" : "N", &tr_cont);
    ASSERT_TRUE(root) << root.error().message;
    auto page = unwrap(decode_fills(*root, tr_cont));
    fills.insert(fills.end(), page.rows.begin(), page.rows.end());
    next = std::move(page.next);
    ASSERT_LT(++pages, 40);
  } while (next.more);
  EXPECT_GE(pages, 2);
  std::set<std::string> order_nos;
  for (const auto& f : fills)
    order_nos.insert(f.order_no);
  EXPECT_EQ(fills.size(), 120u);
  EXPECT_EQ(order_nos.size(), 120u);

  // The period chart pages back 100 rows at a time until the range is covered.
  const auto& sym = symbols.front();
  kis::chart_query q{sym, kst::add_days(today, -730), today, 'D', true, "J"};
  std::vector<kis::daily_bar> bars;
  pages = 0;
  for (;;) {
    auto page =
        unwrap(decode_chart(unwrap(call(endpoint_id::inquire_chart, unwrap(chart_params(q)))), q));
    bars.insert(bars.end(), page.bars.begin(), page.bars.end());
    ASSERT_LT(++pages, 20);
    if (page.next_to_date == 0)
      break;
    q.to_date = page.next_to_date;
  }
  EXPECT_GE(pages, 2);
  EXPECT_GT(bars.size(), kis::api::chart_rows_per_call);
  for (std::size_t i = 1; i < bars.size(); ++i)
    ASSERT_LT(bars[i].date, bars[i - 1].date) << "rows newest first, no overlap between pages";
  EXPECT_GE(bars.back().date, q.from_date);
}

INSTANTIATE_TEST_SUITE_P(Env, SimRest, ::testing::Values(environment::real, environment::paper),
                         [](const auto& p) { return std::string{to_string_view(p.param)}; });

} // namespace
