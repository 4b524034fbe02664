// Decode throughput of the two hottest REST answers: inquire-price (one quote) and a full
// 100-row period chart page. Each iteration parses the body (parse_reply) and decodes it, as
// the gateway does for every answer.
#include <benchmark/benchmark.h>

#include <boost/json/serialize.hpp>

#include "kis/kst.hpp"
#include "kis/rest_codec.hpp"

namespace {

using namespace kis::api;
namespace bj = boost::json;

// The inquire-price output as KIS sends it: ~80 fields, every number a string.
std::string price_body() {
  bj::object out;
  const char* fields[][2] = {{"iscd_stat_cls_code", "55"},
                             {"marg_rate", "20.00"},
                             {"rprs_mrkt_kor_name", "KOSPI200"},
                             {"new_hgpr_lwpr_cls_code", ""},
                             {"bstp_kor_isnm", "전기.전자"},
                             {"temp_stop_yn", "N"},
                             {"oprc_rang_cont_yn", "N"},
                             {"clpr_rang_cont_yn", "N"},
                             {"crdt_able_yn", "Y"},
                             {"grmn_rate_cls_code", "40"},
                             {"elec_scty_yn", "N"},
                             {"stck_prpr", "70100"},
                             {"prdy_vrss", "-400"},
                             {"prdy_vrss_sign", "5"},
                             {"prdy_ctrt", "-0.57"},
                             {"acml_tr_pbmn", "865432100000"},
                             {"acml_vol", "12345678"},
                             {"prdy_vrss_vol_rate", "88.12"},
                             {"stck_oprc", "70500"},
                             {"stck_hgpr", "70900"},
                             {"stck_lwpr", "69800"},
                             {"stck_mxpr", "91600"},
                             {"stck_llam", "49400"},
                             {"stck_sdpr", "70500"},
                             {"wghn_avrg_stck_prc", "70233.51"},
                             {"hts_frgn_ehrt", "55.21"},
                             {"frgn_ntby_qty", "-12345"},
                             {"pgtr_ntby_qty", "23456"},
                             {"pvt_scnd_dmrs_prc", "71233"},
                             {"pvt_frst_dmrs_prc", "70866"},
                             {"pvt_pont_val", "70300"},
                             {"pvt_frst_dmsp_prc", "69933"},
                             {"pvt_scnd_dmsp_prc", "69566"},
                             {"dmrs_val", "70583"},
                             {"dmsp_val", "69883"},
                             {"cpfn", "7780"},
                             {"rstc_wdth_prc", "21100"},
                             {"stck_fcam", "100"},
                             {"stck_sspr", "53130"},
                             {"aspr_unit", "100"},
                             {"hts_deal_qty_unit_val", "1"},
                             {"lstn_stcn", "5969782550"},
                             {"hts_avls", "4184817"},
                             {"per", "13.21"},
                             {"pbr", "1.25"},
                             {"stac_month", "12"},
                             {"vol_tnrt", "0.21"},
                             {"eps", "5307.00"},
                             {"bps", "56000.00"},
                             {"d250_hgpr", "88800"},
                             {"d250_hgpr_date", "20260711"},
                             {"d250_hgpr_vrss_prpr_rate", "-21.06"},
                             {"d250_lwpr", "59000"},
                             {"d250_lwpr_date", "20251120"},
                             {"d250_lwpr_vrss_prpr_rate", "18.81"},
                             {"stck_dryy_hgpr", "88800"},
                             {"dryy_hgpr_vrss_prpr_rate", "-21.06"},
                             {"dryy_hgpr_date", "20260711"},
                             {"stck_dryy_lwpr", "61000"},
                             {"dryy_lwpr_vrss_prpr_rate", "14.92"},
                             {"dryy_lwpr_date", "20260105"},
                             {"w52_hgpr", "88800"},
                             {"w52_hgpr_vrss_prpr_ctrt", "-21.06"},
                             {"w52_hgpr_date", "20260711"},
                             {"w52_lwpr", "59000"},
                             {"w52_lwpr_vrss_prpr_ctrt", "18.81"},
                             {"w52_lwpr_date", "20251120"},
                             {"whol_loan_rmnd_rate", "0.12"},
                             {"ssts_yn", "Y"},
                             {"stck_shrn_iscd", "005930"},
                             {"fcam_cnnm", "100"},
                             {"cpfn_cnnm", "7,780 억"},
                             {"frgn_hldn_qty", "3295000000"},
                             {"vi_cls_code", "N"},
                             {"ovtm_vi_cls_code", "N"},
                             {"last_ssts_cntg_qty", "1234"},
                             {"invt_caful_yn", "N"},
                             {"mrkt_warn_cls_code", "00"},
                             {"short_over_yn", "N"},
                             {"sltr_yn", "N"}};
  for (auto& f : fields)
    out[f[0]] = f[1];
  bj::object root{{"rt_cd", "0"}, {"msg_cd", "MCA00000"}, {"msg1", "정상처리 되었습니다."}};
  root["output"] = std::move(out);
  return bj::serialize(root);
}

std::string chart_body(int rows) {
  bj::array out2;
  std::int32_t date = 20261120;
  for (int i = 0; i < rows; ++i) {
    out2.push_back(bj::object{{"stck_bsop_date", kst::format_date(date)},
                              {"stck_clpr", std::to_string(70000 + i)},
                              {"stck_oprc", std::to_string(69900 + i)},
                              {"stck_hgpr", std::to_string(70500 + i)},
                              {"stck_lwpr", std::to_string(69500 + i)},
                              {"acml_vol", std::to_string(10000000 + i * 37)},
                              {"acml_tr_pbmn", std::to_string(700000000000LL + i * 991)},
                              {"flng_cls_code", "00"},
                              {"prtt_rate", "0.00"},
                              {"mod_yn", "N"},
                              {"prdy_vrss_sign", "2"},
                              {"prdy_vrss", "100"},
                              {"revl_issu_reas", ""}});
    date = kst::add_days(date, -1);
  }
  bj::object root{{"rt_cd", "0"}, {"msg_cd", "MCA00000"}, {"msg1", "정상처리 되었습니다."}};
  root["output1"] = bj::object{
      {"prdy_vrss", "100"},         {"prdy_vrss_sign", "2"},  {"prdy_ctrt", "0.14"},
      {"stck_prdy_clpr", "70000"},  {"acml_vol", "12345678"}, {"acml_tr_pbmn", "865432100000"},
      {"hts_kor_isnm", "삼성전자"}, {"stck_prpr", "70100"},   {"stck_shrn_iscd", "005930"}};
  root["output2"] = std::move(out2);
  return bj::serialize(root);
}

kis::http_exchange exchange(std::string body) {
  kis::http_exchange ex;
  ex.http_status = 200;
  ex.sent = true;
  ex.body = std::move(body);
  return ex;
}

void BM_DecodeInquirePrice(benchmark::State& state) {
  auto ex = exchange(price_body());
  for (auto _ : state) {
    auto root = parse_reply(ex);
    auto q = decode_quote(*root, "005930");
    if (!q)
      state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(q);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * ex.body.size()));
  state.counters["body_bytes"] = static_cast<double>(ex.body.size());
}
BENCHMARK(BM_DecodeInquirePrice);

void BM_DecodeChart100(benchmark::State& state) {
  auto ex = exchange(chart_body(100));
  kis::chart_query q{"005930", 20240101, 20261120, 'D', true, "J"};
  for (auto _ : state) {
    auto root = parse_reply(ex);
    auto page = decode_chart(*root, q);
    if (!page || page->bars.size() != 100)
      state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(page);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * ex.body.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 100)); // rows
  state.counters["body_bytes"] = static_cast<double>(ex.body.size());
}
BENCHMARK(BM_DecodeChart100);

} // namespace

BENCHMARK_MAIN();
