#include "runtime/recording_transports.hpp"

#include <utility>

#include "runtime/recording_redact.hpp"

namespace kis::runtime {

namespace {

class recording_transport final : public rest_transport {
public:
  recording_transport(std::shared_ptr<rest_transport> inner, std::shared_ptr<recorder> rec)
      : inner_(std::move(inner))
      , rec_(std::move(rec)) {}

  void submit(api::http_request req, std::function<void(http_exchange)> done) override {
    // Summarised here, before the request (headers and all) leaves for the transport thread.
    auto what = std::make_shared<recording::request_summary>(recording::summarize_request(req));
    inner_->submit(std::move(req), [rec = rec_, what, done = std::move(done)](http_exchange ex) {
      rec::record r;
      r.endpoint = std::move(what->endpoint);
      r.tr_id = std::move(what->tr_id);
      r.params = std::move(what->params);
      r.http_status = ex.http_status;
      r.tr_cont = ex.tr_cont;
      r.error = ex.transport_error;
      r.elapsed_ns = ex.elapsed_ns;
      if (what->oauth) {
        std::vector<std::string> secrets;
        r.body = recording::redact_oauth_body(ex.body, secrets);
        for (auto& s : secrets)
          rec->add_secret(std::move(s));
      } else {
        r.body = ex.body;
      }
      rec->rest(std::move(r));
      done(std::move(ex));
    });
  }

private:
  std::shared_ptr<rest_transport> inner_;
  std::shared_ptr<recorder> rec_;
};

} // namespace

std::shared_ptr<rest_transport> recording_rest_transport(std::shared_ptr<rest_transport> inner,
                                                         std::shared_ptr<recorder> rec) {
  return std::make_shared<recording_transport>(std::move(inner), std::move(rec));
}

ws_tap recording_ws_tap(std::shared_ptr<recorder> rec) {
  ws_tap tap;
  tap.in = [rec](std::uint64_t session, const std::string& text) {
    // Data frames (the hot path) start with '0' or '1' and are recorded as they came.
    if (!text.empty() && text.front() == '{')
      rec->ws_in(session, recording::redact_ws_frame(text));
    else
      rec->ws_in(session, text);
  };
  tap.out = [rec](std::uint64_t session, const std::string& text) {
    if (auto summary = recording::summarize_ws_request(text))
      rec->ws_out(session, *summary);
  };
  tap.link = [rec](std::uint64_t session, std::string_view event) { rec->ws_link(session, event); };
  return tap;
}

} // namespace kis::runtime
