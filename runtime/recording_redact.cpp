#include "runtime/recording_redact.hpp"

#include <algorithm>
#include <array>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "kis/endpoints.hpp"
#include "kis/rest_codec.hpp"

namespace kis::runtime::recording {

namespace json = boost::json;

namespace {

// Request parameters whose values identify market data, an order or a page, never a person
// or a key (KIS-PROTOCOL.md §4). CANO and ACNT_PRDT_CD (the account) are deliberately absent.
constexpr std::array<std::string_view, 27> harmless_names{
    "PDNO",
    "ORD_DVSN",
    "ORD_QTY",
    "ORD_UNPR",
    "EXCG_ID_DVSN_CD",
    "SLL_TYPE",
    "CNDT_PRIC",
    "KRX_FWDG_ORD_ORGNO",
    "ORGN_ODNO",
    "RVSE_CNCL_DVSN_CD",
    "QTY_ALL_ORD_YN",
    "INQR_STRT_DT",
    "INQR_END_DT",
    "SLL_BUY_DVSN_CD",
    "INQR_DVSN",
    "INQR_DVSN_1",
    "INQR_DVSN_2",
    "INQR_DVSN_3",
    "CCLD_DVSN",
    "ODNO",
    "ORD_GNO_BRNO",
    "PRCS_DVSN",
    "AFHR_FLPR_YN",
    "OFL_YN",
    "UNPR_DVSN",
    "FUND_STTL_ICLD_YN",
    "OVRS_ICLD_YN",
};

void add_param(std::vector<kis::field>& out, std::string name, std::string value) {
  if (!harmless_param(name))
    value = "*";
  out.push_back({std::move(name), std::move(value)});
}

void query_params(std::string_view q, std::vector<kis::field>& out) {
  for (auto& [name, value] : api::split_query(q))
    add_param(out, std::move(name), std::move(value));
}

void body_params(std::string_view body, std::vector<kis::field>& out) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object())
    return;
  for (const auto& kv : v.as_object()) {
    std::string value =
        kv.value().is_string() ? std::string{kv.value().as_string()} : json::serialize(kv.value());
    add_param(out, std::string{kv.key()}, std::move(value));
  }
}

// "https://host:port/uapi/...?a=b" -> path and query.
std::pair<std::string_view, std::string_view> split_url(std::string_view url) {
  auto scheme = url.find("://");
  auto rest = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
  auto slash = rest.find('/');
  auto path = slash == std::string_view::npos ? std::string_view{"/"} : rest.substr(slash);
  auto q = path.find('?');
  if (q == std::string_view::npos)
    return {path, {}};
  return {path.substr(0, q), path.substr(q + 1)};
}

json::object* output_of(json::value& root) {
  if (!root.is_object())
    return nullptr;
  auto* body = root.as_object().if_contains("body");
  if (body == nullptr || !body->is_object())
    return nullptr;
  auto* out = body->as_object().if_contains("output");
  return out != nullptr && out->is_object() ? &out->as_object() : nullptr;
}

} // namespace

bool harmless_param(std::string_view name) noexcept {
  auto up = api::ascii_upper(name);
  if (up.rfind("FID_", 0) == 0 || up.rfind("CTX_AREA_", 0) == 0)
    return true;
  return std::find(harmless_names.begin(), harmless_names.end(), up) != harmless_names.end();
}

request_summary summarize_request(const api::http_request& req) {
  request_summary s;
  auto [path, query] = split_url(req.url);
  const auto* ep = api::find_by_path(path);
  s.endpoint = ep != nullptr ? std::string{ep->name} : "unknown";
  s.oauth = ep == nullptr || ep->oauth || ep->id == endpoint_id::hashkey;
  for (const auto& h : req.headers)
    if (api::ascii_upper(h.name) == "TR_ID")
      s.tr_id = h.value;
  if (s.oauth) // the body is the app key and secret (or the order to hash): nothing kept
    return s;
  query_params(query, s.params);
  if (req.method == api::http_method::post)
    body_params(req.body, s.params);
  return s;
}

std::string redact_oauth_body(std::string_view body, std::vector<std::string>& found) {
  static constexpr std::array<std::string_view, 8> kept{"token_type",
                                                        "expires_in",
                                                        "access_token_token_expired",
                                                        "error_code",
                                                        "error_description",
                                                        "code",
                                                        "message",
                                                        "rt_cd"};
  static constexpr std::array<std::string_view, 4> secret{"access_token", "approval_key", "HASH",
                                                          "token"};
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object())
    return body.empty() ? std::string{} : std::string{"(not JSON, not recorded)"};
  json::object out;
  for (const auto& kv : v.as_object()) {
    const auto key = std::string_view{kv.key()};
    if (std::find(secret.begin(), secret.end(), key) != secret.end()) {
      if (kv.value().is_string() && !kv.value().as_string().empty())
        found.emplace_back(kv.value().as_string());
      out[key] = "(redacted)";
    } else if (std::find(kept.begin(), kept.end(), key) != kept.end()) {
      out[key] = kv.value();
    }
  }
  return json::serialize(out);
}

std::string redact_ws_frame(std::string_view text) {
  if (text.empty() || text.front() != '{' ||
      (text.find("\"key\"") == std::string_view::npos &&
       text.find("\"iv\"") == std::string_view::npos))
    return std::string{text};
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec)
    return "(unparsable control frame with key material, not recorded)";
  auto* out = output_of(v);
  if (out == nullptr)
    return std::string{text};
  for (const char* k : {"key", "iv"})
    if (out->contains(k))
      (*out)[k] = "";
  return json::serialize(v);
}

std::optional<std::string> summarize_ws_request(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object())
    return std::nullopt;
  const auto& root = v.as_object();
  const auto* header = root.if_contains("header");
  const auto* body = root.if_contains("body");
  if (header == nullptr || !header->is_object() || body == nullptr || !body->is_object())
    return std::nullopt;
  const auto* input = body->as_object().if_contains("input");
  if (input == nullptr || !input->is_object())
    return std::nullopt;
  auto str = [](const json::object& o, std::string_view k) -> json::string {
    const auto* x = o.if_contains(k);
    return x != nullptr && x->is_string() ? x->as_string() : json::string{};
  };
  json::object out;
  out["tr_type"] = str(header->as_object(), "tr_type");
  auto tr_id = str(input->as_object(), "tr_id");
  // The notice registration's key is the HTS id, a person's login: not kept.
  const bool notice = tr_id == "H0STCNI0" || tr_id == "H0STCNI9";
  out["tr_key"] = notice ? json::string{"*"} : str(input->as_object(), "tr_key");
  out["tr_id"] = std::move(tr_id);
  return json::serialize(out);
}

} // namespace kis::runtime::recording
