// The real transport behind the gateway's seam (libcurl multi on the transport's own thread),
// and the OAuth issuer the token keeper uses through it. Both tell the log's redactor about the
// secrets that pass through them (the token a request carries, the token or approval key an
// answer brings), so no log line can show one, whatever logs it later; at trace level every
// exchange is logged by method, path and outcome only (no query, header or body).
#include "runtime/transports.hpp"

#include <boost/json/parse.hpp>

#include "kis/json_fields.hpp"
#include "kis/rest_codec.hpp"
#include "runtime/logging.hpp"

namespace kis {

namespace {

constexpr std::string_view bearer = "Bearer ";

void register_request_secrets(const api::http_request& req) {
  for (const auto& h : req.headers)
    if (h.name == "authorization" && h.value.starts_with(bearer))
      log::add_secret(h.value.substr(bearer.size()));
}

void register_answer_secrets(const http_exchange& ex) {
  boost::system::error_code ec;
  auto v = api::json::parse_untrusted(ex.body, ec);
  if (ec || !v.is_object())
    return;
  for (const char* key : {"access_token", "approval_key"})
    if (const auto* s = v.as_object().if_contains(key); s != nullptr && s->is_string())
      log::add_secret(std::string{s->as_string()});
}

std::string_view path_of(std::string_view url) {
  auto scheme = url.find("://");
  auto start = url.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
  if (start == std::string_view::npos)
    return "/";
  return url.substr(start, url.find('?', start) - start);
}

class curl_transport final : public rest_transport {
public:
  explicit curl_transport(api::transport_options opts)
      : http_(std::move(opts)) {}

  void submit(api::http_request req, std::function<void(http_exchange)> done) override {
    register_request_secrets(req);
    if (!spdlog::should_log(spdlog::level::trace)) {
      http_.submit(std::move(req), std::move(done));
      return;
    }
    std::string what = std::string{req.method == api::http_method::post ? "POST " : "GET "} +
                       std::string{path_of(req.url)};
    http_.submit(std::move(req),
                 [what = std::move(what), done = std::move(done)](http_exchange ex) {
                   spdlog::trace("http {} -> {} ({} bytes, {} ms){}{}", what, ex.http_status,
                                 ex.body.size(), ex.elapsed_ns / 1'000'000,
                                 ex.transport_error.empty() ? "" : ": ", ex.transport_error);
                   done(std::move(ex));
                 });
  }

private:
  api::http_transport http_;
};

} // namespace

std::shared_ptr<rest_transport> make_curl_transport(api::transport_options opts) {
  return std::make_shared<curl_transport>(std::move(opts));
}

oauth_issue_fn make_oauth_issuer(std::shared_ptr<rest_transport> transport, api::environment env,
                                 std::string base_url, api::credentials cred) {
  return [transport, ctx = api::call_context{env, std::move(base_url), std::move(cred), {}}](
             endpoint_id id, oauth_done done) {
    auto req = api::build_request(id, ctx, {});
    if (!req) {
      http_exchange ex;
      ex.transport_error = req.error().message;
      done(std::move(ex));
      return;
    }
    transport->submit(std::move(req.value()), [done = std::move(done)](http_exchange ex) {
      register_answer_secrets(ex); // before anyone could log the answer
      done(std::move(ex));
    });
  };
}

} // namespace kis
