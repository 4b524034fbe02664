// kis-sim's venues on the wire (issue #14): EXCG_ID_DVSN_CD of orders and of the daily-fills
// query, the rows' excg_id_dvsn_cd, ORD_EXG_GB in notices, NX and UN quotes, chk-holiday from
// the calendar, and the market clock a start time and a speed-up set.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "gateway_fixture.hpp"
#include "kis/kst.hpp"
#include "kis/rest_codec.hpp"

namespace {

using namespace std::chrono_literals;
using namespace kis::sim;
namespace json = boost::json;
using kis::api::environment;
using test::body_of;
using test::ccld_path;
using test::holiday_path;
using test::order_path;
using test::price_path;
using test::str;

std::int64_t at(const std::string& kst) {
  return *kis::api::kst::parse_datetime(kst.size() == 16 ? kst + ":00" : kst);
}

struct SimVenues : test::gateway_fixture {
  std::vector<kis::execution_notice> notices;
  std::chrono::milliseconds gap{60};

  // A gateway whose market clock stands at `start` (KST); empty: the old always-open market.
  void make(environment env, const std::string& start = {}, double speed = 1.0) {
    opts.env = env;
    opts.clock = clock;
    opts.speed = speed;
    if (!start.empty())
      opts.start_ns = at(start);
    gw = std::make_unique<gateway>(opts);
    gw->notice_sink = [this](const kis::execution_notice& n) { notices.push_back(n); };
    gap = env == environment::paper ? 1001ms : 60ms;
    token = str(body_of(test::token_reply(*gw, opts)), "access_token");
  }
  json::object get(const std::string& tr, const std::string& path, const std::string& query) {
    clock->advance(gap);
    return body_of(gw->handle({"GET", path + "?" + query, headers(tr), {}}));
  }
  json::object order(const std::string& symbol, const std::string& venue, const std::string& kind,
                     std::int64_t price, int qty = 1) {
    clock->advance(gap);
    json::object b{{"CANO", "50000000"},
                   {"ACNT_PRDT_CD", "01"},
                   {"PDNO", symbol},
                   {"ORD_DVSN", kind},
                   {"ORD_QTY", std::to_string(qty)},
                   {"ORD_UNPR", std::to_string(price)}};
    if (!venue.empty())
      b["EXCG_ID_DVSN_CD"] = venue;
    const auto tr = opts.env == environment::paper ? "VTTC0012U" : "TTTC0012U";
    return body_of(gw->handle({"POST", order_path, headers(tr), json::serialize(b)}));
  }
  json::object fills(const std::string& venue) {
    const auto day = std::to_string(kis::api::kst::date_of(gw->market_clock()->now_ns()));
    return get(opts.env == environment::paper ? "VTTC0081R" : "TTTC0081R", ccld_path,
               "CANO=50000000&ACNT_PRDT_CD=01&INQR_STRT_DT=" + day + "&INQR_END_DT=" + day +
                   "&SLL_BUY_DVSN_CD=00&INQR_DVSN=00&PDNO=&CCLD_DVSN=00&ORD_GNO_BRNO=&ODNO="
                   "&INQR_DVSN_3=00&INQR_DVSN_1=&EXCG_ID_DVSN_CD=" +
                   venue + "&CTX_AREA_FK100=&CTX_AREA_NK100=");
  }
  json::object quote(const std::string& market, const std::string& symbol) {
    return get("FHKST01010100", price_path,
               "FID_COND_MRKT_DIV_CODE=" + market + "&FID_INPUT_ISCD=" + symbol);
  }
  static std::int64_t num(const json::object& o, std::string_view k) {
    return std::stoll(std::string{o.at(k).as_string()});
  }
  static std::string not_on_nxt() {
    for (const auto& in : universe())
      if (!in.nxt)
        return in.symbol;
    return {};
  }
};

TEST_F(SimVenues, AnAfterMarketWithOnlyNextradeOpenFillsThereAndReconcilesByVenue) {
  make(environment::real, "2026-06-02 18:30"); // before KRX's extension: KRX shut at 18:00
  auto krx =
      order("005930", "KRX", "00", num(quote("J", "005930").at("output").as_object(), "stck_prpr"));
  EXPECT_EQ(str(krx, "msg_cd"), "40580000");
  const auto nx = quote("NX", "005930").at("output").as_object();
  const auto p = num(nx, "stck_prpr");
  ASSERT_GT(p, 0);
  auto nxt = order("005930", "NXT", "00", kis::sim::tick_up(kis::sim::tick_up(p)), 3);
  ASSERT_EQ(str(nxt, "rt_cd"), "0") << json::serialize(nxt);
  ASSERT_EQ(notices.size(), 2u); // ack and fill, at once: the order crossed
  EXPECT_EQ(notices[0].executed_on, kis::exec_venue::nxt);
  EXPECT_TRUE(notices[1].is_fill);
  EXPECT_EQ(notices[1].executed_on, kis::exec_venue::nxt);
  auto sor = order("005930", "SOR", "03", 0);
  ASSERT_EQ(str(sor, "rt_cd"), "0") << json::serialize(sor);
  EXPECT_EQ(notices.back().executed_on, kis::exec_venue::sor_nxt);

  // The engine's own decoder reads every venue's fills from an ALL query, and none is missed.
  auto rows_of = [&](const std::string& venue) {
    kis::http_exchange ex;
    ex.http_status = 200;
    ex.body = json::serialize(fills(venue));
    auto page = kis::api::decode_fills(*kis::api::parse_reply(ex), "D");
    EXPECT_TRUE(page);
    return page ? page->rows : std::vector<kis::fill_record>{};
  };
  auto all = rows_of("ALL");
  ASSERT_EQ(all.size(), 2u); // the KRX refusal is no order
  std::int64_t filled = 0;
  for (const auto& r : all)
    filled += r.filled_qty;
  EXPECT_EQ(filled, 4);
  EXPECT_EQ(all[0].route, kis::venue::sor);
  EXPECT_EQ(all[1].route, kis::venue::nxt);
  EXPECT_EQ(rows_of("NXT").size(), 1u);
  EXPECT_EQ(rows_of("SOR").size(), 1u);
  EXPECT_TRUE(rows_of("KRX").empty());
  EXPECT_TRUE(rows_of("").empty()); // blank is KRX, the portal's default
}

TEST_F(SimVenues, PaperIsKrxOnlyOnOrdersAndQueries) {
  make(environment::paper);
  EXPECT_EQ(str(order("005930", "NXT", "00", 70'000), "msg_cd"), "40570000");
  EXPECT_EQ(str(order("005930", "SOR", "03", 0), "msg_cd"), "40570000");
  EXPECT_EQ(str(order("005930", "KRX", "01", 0), "msg_cd"), "40600000");
  EXPECT_EQ(str(order("005930", "", "01", 0), "msg_cd"), "40600000"); // absent is KRX
  EXPECT_EQ(str(fills("ALL"), "rt_cd"), "0");
  EXPECT_EQ(str(fills("KRX"), "rt_cd"), "0");
  auto nxt = fills("NXT");
  EXPECT_EQ(str(nxt, "msg_cd"), "OPSQ2002");
  EXPECT_EQ(str(nxt, "msg1"), "ERROR : INPUT_FIELD_VALUE EXCG_ID_DVSN_CD");
  EXPECT_EQ(
      str(get("CTCA0903R", holiday_path, "BASS_DT=20261224&CTX_AREA_NK=&CTX_AREA_FK="), "msg_cd"),
      "EGW02006");
}

TEST_F(SimVenues, AnUnknownVenueCodeIsAnInputError) {
  make(environment::real);
  auto r = order("005930", "XKRX", "00", 70'000);
  EXPECT_EQ(str(r, "msg_cd"), "OPSQ2002");
  EXPECT_EQ(str(fills("KOSDAQ"), "msg_cd"), "OPSQ2002");
  EXPECT_TRUE(notices.empty());
}

TEST_F(SimVenues, WithoutAStartTheMarketNeverCloses) {
  opts.clock = clock;
  clock->set(kis::wall_time{std::chrono::nanoseconds{at("2026-12-05 03:00")}}); // Saturday night
  make(environment::real);
  EXPECT_EQ(str(order("005930", "KRX", "01", 0), "msg_cd"), "APBK0013");
  EXPECT_EQ(str(order("005930", "NXT", "03", 0), "msg_cd"), "APBK0013");
  EXPECT_EQ(notices.back().executed_on, kis::exec_venue::nxt);
}

TEST_F(SimVenues, QuotesByMarketCode) {
  make(environment::real, "2026-12-01 10:00");
  clock->advance(2min);
  const auto j = quote("J", "005930").at("output").as_object();
  const auto nx = quote("NX", "005930").at("output").as_object();
  const auto un = quote("UN", "005930").at("output").as_object();
  const auto tick = num(j, "aspr_unit");
  EXPECT_LE(std::abs(num(j, "stck_prpr") - num(nx, "stck_prpr")), 5 * tick);
  EXPECT_EQ(num(un, "acml_vol"), num(j, "acml_vol") + num(nx, "acml_vol"));
  EXPECT_EQ(num(nx, "stck_sdpr"), num(j, "stck_sdpr")); // NXT's base is the KRX close
  const auto none = quote("NX", not_on_nxt()).at("output").as_object();
  EXPECT_EQ(str(none, "stck_prpr"), "0"); // Nextrade does not trade it
  EXPECT_EQ(str(none, "acml_vol"), "0");
}

TEST_F(SimVenues, ChkHolidayAnswersFromTheCalendar) {
  make(environment::real, "2026-12-01 10:00");
  auto r = get("CTCA0903R", holiday_path, "BASS_DT=20261224&CTX_AREA_NK=&CTX_AREA_FK=");
  ASSERT_EQ(str(r, "rt_cd"), "0") << json::serialize(r);
  const auto& days = r.at("output").as_array();
  ASSERT_EQ(days.size(), 30u);
  auto day = [&](std::size_t i) { return days.at(i).as_object(); };
  EXPECT_EQ(str(day(0), "bass_dt"), "20261224");
  EXPECT_EQ(str(day(0), "wday_dvsn_cd"), "05"); // Thursday
  EXPECT_EQ(str(day(0), "opnd_yn"), "Y");
  EXPECT_EQ(str(day(1), "opnd_yn"), "N"); // Christmas
  EXPECT_EQ(str(day(1), "bzdy_yn"), "N");
  EXPECT_EQ(str(day(2), "tr_day_yn"), "Y"); // a Saturday is a trading day, not an open one
  EXPECT_EQ(str(day(2), "opnd_yn"), "N");
  EXPECT_EQ(str(day(7), "bass_dt"), "20261231");
  EXPECT_EQ(str(day(7), "opnd_yn"), "N");
  EXPECT_EQ(str(day(7), "bzdy_yn"), "Y"); // the year-end closing day is a business day
  EXPECT_EQ(str(day(8), "opnd_yn"), "N"); // New Year

  // Decoded by the engine and applied to a calendar that knew nothing of Christmas.
  kis::http_exchange ex;
  ex.http_status = 200;
  ex.body = json::serialize(r);
  auto page = kis::api::decode_holidays(*kis::api::parse_reply(ex), "D");
  ASSERT_TRUE(page);
  EXPECT_FALSE(page->next.more);
  auto cal = kis::sessions::calendar::year_2026();
  cal.set_holidays({});
  cal.apply(page->days);
  EXPECT_FALSE(cal.open_day(20261225));
  EXPECT_TRUE(cal.open_day(20261228));
  EXPECT_FALSE(cal.open_day(20270101));
}

TEST_F(SimVenues, AStartAndASpeedSetTheMarketClock) {
  make(environment::real, "2026-12-01 19:30", 60);
  EXPECT_EQ(gw->market_clock()->now_ns(), at("2026-12-01 19:30"));
  EXPECT_EQ(str(order("005930", "NXT", "00", 0), "msg_cd"), "40330000"); // a limit without price
  clock->advance(30s); // half an hour of market time
  EXPECT_GE(gw->market_clock()->now_ns(), at("2026-12-01 20:00"));
  notices.clear();
  EXPECT_EQ(str(order("005930", "NXT", "03", 0), "msg_cd"), "40580000"); // both venues shut
  EXPECT_EQ(str(order("005930", "SOR", "03", 0), "msg_cd"), "40580000");
  EXPECT_TRUE(notices.empty());
  // The budget keeps the wall clock: two calls 60 ms apart are fine at 60x.
  EXPECT_EQ(str(quote("J", "005930"), "rt_cd"), "0");
  EXPECT_EQ(str(quote("J", "005930"), "rt_cd"), "0");
  clock->advance(12min); // 12 market hours: 08:00 the next morning, Nextrade's pre-market
  EXPECT_EQ(str(order("005930", "NXT", "03", 0), "msg_cd"), "APBK0013");
}

} // namespace
