// The real transport behind the gateway's seam (libcurl multi on the transport's own thread),
// and the OAuth issuer the token keeper uses through it.
#include "runtime/transports.hpp"

#include "kis/rest_codec.hpp"

namespace kis {

namespace {

class curl_transport final : public rest_transport {
public:
  explicit curl_transport(api::transport_options opts)
      : http_(std::move(opts)) {}

  void submit(api::http_request req, std::function<void(http_exchange)> done) override {
    http_.submit(std::move(req), std::move(done));
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
    transport->submit(std::move(req.value()), std::move(done));
  };
}

} // namespace kis
