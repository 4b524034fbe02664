// Golden checks against docs/kis-fields.md (KIS's portal field lists): every served endpoint
// answers every documented output field, each a string; each documented request parameter is
// required as KIS requires it; the response headers are spelled as KIS spells them; and the
// real-time records have the documented widths. The lists live in the doc, not here, so the
// doc and the simulator cannot drift apart.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include <boost/json.hpp>

#include "sim/frames.hpp"
#include "gateway_fixture.hpp"
#include "sim/routes.hpp"

namespace {

using namespace std::chrono_literals;
using namespace kis::sim;
namespace json = boost::json;

// One "## name" section of the doc.
struct section {
  std::string method, path, real_tr;
  std::vector<std::string> request, may_lack;
  std::map<std::string, std::vector<std::string>> outputs; // block -> keys
  std::vector<std::string> fields, wide;                   // real-time records
};

std::vector<std::string> backticked(const std::string& line) {
  std::vector<std::string> out;
  for (auto open = line.find('`'); open != std::string::npos; open = line.find('`', open)) {
    auto close = line.find('`', open + 1);
    if (close == std::string::npos)
      break;
    out.push_back(line.substr(open + 1, close - open - 1));
    open = close + 1;
  }
  return out;
}

std::map<std::string, section> read_doc() {
  std::ifstream in{KIS_FIELDS_DOC};
  std::map<std::string, section> doc;
  section* cur = nullptr;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) {
      cur = &doc[line.substr(3)];
      continue;
    }
    if (cur == nullptr)
      continue;
    for (auto verb : {"GET", "POST"}) {
      auto at = line.find(std::string{": "} + verb + " `");
      if (at != std::string::npos && cur->path.empty()) {
        cur->method = verb;
        cur->path = backticked(line.substr(at)).at(0);
        auto real = line.find("tr_id real ") + 11;
        cur->real_tr = line.substr(real, line.find_first_of(" ,;", real) - real);
      }
    }
    auto list = [&](std::string_view prefix) {
      return line.rfind(prefix, 0) == 0 ? backticked(line) : std::vector<std::string>{};
    };
    if (line.rfind("- request:", 0) == 0)
      cur->request = list("- request:");
    else if (line.rfind("- may be left out:", 0) == 0)
      cur->may_lack = list("- may be left out:");
    else if (line.rfind("- fields:", 0) == 0)
      cur->fields = list("- fields:");
    else if (line.rfind("- wide:", 0) == 0)
      cur->wide = list("- wide:");
    else if (line.rfind("- output", 0) == 0)
      cur->outputs[line.substr(2, line.find(':') - 2)] = backticked(line);
  }
  return doc;
}

// A value for every parameter the doc names, as a client would send it.
const std::map<std::string, std::string>& sample_values() {
  static const std::map<std::string, std::string> v{
      {"FID_COND_MRKT_DIV_CODE", "J"},
      {"FID_INPUT_ISCD", "005930"},
      {"FID_PERIOD_DIV_CODE", "D"},
      {"FID_ORG_ADJ_PRC", "0"},
      {"FID_INPUT_DATE_1", "20251101"},
      {"FID_INPUT_DATE_2", "20260101"},
      {"FID_INPUT_HOUR_1", "153000"},
      {"FID_PW_DATA_INCU_YN", "Y"},
      {"FID_ETC_CLS_CODE", ""},
      {"PDNO", "005930"},
      {"PRDT_TYPE_CD", "300"},
      {"CANO", "50000000"},
      {"ACNT_PRDT_CD", "01"},
      {"SLL_TYPE", ""},
      {"ORD_DVSN", "01"},
      {"ORD_QTY", "1"},
      {"ORD_UNPR", "0"},
      {"CNDT_PRIC", ""},
      {"EXCG_ID_DVSN_CD", "KRX"},
      {"KRX_FWDG_ORD_ORGNO", "06010"},
      {"ORGN_ODNO", "0000000001"},
      {"RVSE_CNCL_DVSN_CD", "02"},
      {"QTY_ALL_ORD_YN", "Y"},
      {"CTX_AREA_FK100", ""},
      {"CTX_AREA_NK100", ""},
      {"INQR_DVSN_1", "0"},
      {"INQR_DVSN_2", "0"},
      {"AFHR_FLPR_YN", "N"},
      {"OFL_YN", ""},
      {"INQR_DVSN", "02"},
      {"UNPR_DVSN", "01"},
      {"FUND_STTL_ICLD_YN", "N"},
      {"FNCG_AMT_AUTO_RDPT_YN", "N"},
      {"PRCS_DVSN", "00"},
      {"CMA_EVLU_AMT_ICLD_YN", "N"},
      {"OVRS_ICLD_YN", "N"},
      {"INQR_STRT_DT", "20260101"},
      {"INQR_END_DT", "20260101"},
      {"SLL_BUY_DVSN_CD", "00"},
      {"ORD_GNO_BRNO", ""},
      {"ODNO", ""},
      {"CCLD_DVSN", "00"},
      {"INQR_DVSN_3", "00"},
      {"BASS_DT", "20261224"},
      {"CTX_AREA_NK", ""},
      {"CTX_AREA_FK", ""},
  };
  return v;
}

// Where one endpoint wants another value under the same name.
std::map<std::string, std::string> overrides(const std::string& endpoint) {
  if (endpoint == "inquire-daily-ccld")
    return {{"INQR_DVSN", "00"}};
  return {};
}

struct SimGolden : test::gateway_fixture {
  std::map<std::string, section> doc = read_doc();

  void SetUp() override {
    opts.clock = clock;
    gw = std::make_unique<gateway>(opts);
    token = test::str(test::body_of(test::token_reply(*gw, opts)), "access_token");
    // Something on the account, so that every list has rows: a resting buy at the lower
    // limit (order 1, revisable) and a filled market buy (order 2).
    const auto low = lower_limit(gw->quote("005930").base_price);
    ASSERT_EQ(call("order-cash", {{"ORD_DVSN", "00"}, {"ORD_UNPR", std::to_string(low)}}).status,
              200);
    ASSERT_EQ(call("order-cash", {}).status, 200);
  }

  http_response call(const std::string& name, std::map<std::string, std::string> override_values,
                     const std::string& leave_out = {}) {
    const auto& s = doc.at(name);
    clock->advance(100ms);
    std::map<std::string, std::string> h{{"authorization", "Bearer " + token},
                                         {"appkey", opts.cred.app_key},
                                         {"appsecret", opts.cred.app_secret},
                                         {"tr_id", name == "order-cash" ? "TTTC0012U" : s.real_tr},
                                         {"custtype", "P"},
                                         {"content-type", "application/json; charset=utf-8"}};
    json::object body;
    std::string query;
    for (const auto& p : s.request) {
      if (p == leave_out)
        continue;
      auto it = override_values.find(p);
      const auto& v = it != override_values.end() ? it->second : sample_values().at(p);
      body[p] = v;
      query += (query.empty() ? "" : "&") + p + "=" + v;
    }
    if (s.method == "POST")
      return gw->handle({"POST", s.path, h, json::serialize(body)});
    return gw->handle({"GET", s.path + "?" + query, h, {}});
  }
};

TEST_F(SimGolden, TheDocListsEveryServedEndpointWithTheSameParameters) {
  for (const auto& r : routes()) {
    if (r.oauth || r.what == service::hashkey)
      continue;
    ASSERT_TRUE(doc.count(std::string{r.name})) << r.name;
    const auto& s = doc.at(std::string{r.name});
    EXPECT_EQ(s.path, r.path) << r.name;
    EXPECT_EQ(s.method, r.post ? "POST" : "GET") << r.name;
    std::vector<std::string> params(r.params.begin(), r.params.end());
    EXPECT_EQ(params, s.request) << r.name;
    std::vector<std::string> optional(r.optional.begin(), r.optional.end());
    EXPECT_EQ(optional, s.may_lack) << r.name;
    EXPECT_FALSE(s.outputs.empty()) << r.name;
  }
}

TEST_F(SimGolden, EveryDocumentedOutputFieldIsAnsweredAsAString) {
  int checked = 0;
  for (const auto& [name, s] : doc) {
    if (s.outputs.empty())
      continue;
    // The cancel needs an order that is still open: order 1 rests at the lower limit.
    auto r = call(name, overrides(name));
    ASSERT_EQ(r.status, 200) << name << ": " << r.body;
    const auto body = json::parse(r.body).as_object();
    ASSERT_EQ(body.at("rt_cd").as_string(), "0") << name << ": " << r.body;
    for (const auto& [block, keys] : s.outputs) {
      ASSERT_TRUE(body.contains(block)) << name << " has no " << block;
      const auto& v = body.at(block);
      const json::object* row = v.if_object();
      if (const auto* rows = v.if_array()) {
        ASSERT_FALSE(rows->empty()) << name << "." << block << " has no row to check";
        row = rows->front().if_object();
      }
      ASSERT_NE(row, nullptr) << name << "." << block;
      for (const auto& k : keys) {
        ASSERT_TRUE(row->contains(k)) << name << "." << block << " lacks " << k;
        EXPECT_TRUE(row->at(k).is_string()) << name << "." << block << "." << k;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 391); // every field of the 14 endpoints the doc lists
}

TEST_F(SimGolden, EveryDocumentedParameterIsRequiredUnlessItMayBeLeftOut) {
  for (const auto& [name, s] : doc) {
    for (const auto& p : s.request) {
      const bool may_lack = std::find(s.may_lack.begin(), s.may_lack.end(), p) != s.may_lack.end();
      auto r = call(name, overrides(name), p);
      const auto body = json::parse(r.body).as_object();
      if (may_lack) {
        EXPECT_NE(body.at("msg_cd").as_string(), "OPSQ2001") << name << " without " << p;
        continue;
      }
      EXPECT_EQ(body.at("msg_cd").as_string(), "OPSQ2001") << name << " without " << p;
      EXPECT_EQ(body.at("msg1").as_string(), "ERROR : INPUT_FIELD_NAME " + p);
    }
  }
}

TEST_F(SimGolden, ResponseHeadersAreSpelledAsKisSpellsThem) {
  auto r = call("inquire-price", {});
  std::vector<std::string> names;
  for (const auto& [n, v] : r.headers)
    names.push_back(n);
  EXPECT_NE(std::find(names.begin(), names.end(), "Content-Type"), names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), "content-type"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "tr_id"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "tr_cont"), names.end());
}

TEST_F(SimGolden, RealtimeRecordsHaveTheDocumentedWidths) {
  EXPECT_EQ(doc.at("H0STCNT0").fields.size(), frames::trade_fields);
  EXPECT_EQ(doc.at("H0STASP0").fields.size(), frames::book_fields);
  EXPECT_EQ(doc.at("H0STASP0").fields.size() + doc.at("H0STASP0").wide.size(),
            frames::wide_book_fields);
  EXPECT_EQ(doc.at("H0STCNI0").fields.size(), frames::notice_fields);
  EXPECT_EQ(doc.at("H0NXCNT0").fields.size(), frames::trade_fields);
  EXPECT_EQ(doc.at("H0NXASP0").fields.size(), frames::nxt_book_fields);
  // The NXT book is the KRX book's 59 documented fields, KMID_* (the live H0STASP0's extras),
  // then NMID_*.
  const auto& krx = doc.at("H0STASP0");
  auto krx_wide = krx.fields;
  krx_wide.insert(krx_wide.end(), krx.wide.begin(), krx.wide.end());
  const auto& nxt = doc.at("H0NXASP0").fields;
  EXPECT_TRUE(std::equal(krx_wide.begin(), krx_wide.end(), nxt.begin()));
  EXPECT_EQ(nxt.at(62), "NMID_PRC");
  const auto& notice = doc.at("H0STCNI0").fields;
  EXPECT_EQ(notice.at(3), "OODER_NO");
  EXPECT_EQ(notice.at(17), "ACNT_NAME");
}

} // namespace
