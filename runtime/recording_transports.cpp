#include "runtime/recording_transports.hpp"

#include <cstdio>
#include <filesystem>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

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

api::result<std::shared_ptr<recorder>> open_run_recorder(const engine_config& cfg,
                                                         api::environment env,
                                                         const api::credentials& cred,
                                                         const std::vector<std::string>& symbols) {
  const auto& rc = cfg.recorder;
  const bool on = rc.enabled == "on" || (rc.enabled == "auto" && cfg.mode != run_mode::sim);
  if (!on)
    return std::shared_ptr<recorder>{};
  boost::json::array syms;
  for (const auto& s : symbols)
    syms.emplace_back(s);
  boost::json::object info{{"kind", "start"},
                           {"engine", "kis-engine 0.1.0"},
                           {"mode", to_string_view(cfg.mode)},
                           {"env", api::to_string_view(env)},
                           {"symbols", std::move(syms)}};
  recorder_options o;
  o.dir = rc.path.empty() ? std::filesystem::path{cfg.data_dir} / "recordings"
                          : std::filesystem::path{rc.path};
  o.segment_bytes = static_cast<std::uint64_t>(rc.segment_mb) << 20;
  o.chunk_bytes = static_cast<std::size_t>(rc.chunk_kb) << 10;
  o.flush_interval = rc.flush_interval;
  o.zstd_level = rc.zstd_level;
  o.queue_limit = static_cast<std::size_t>(rc.queue_limit);
  o.max_total_bytes = static_cast<std::uint64_t>(rc.max_total_mb) << 20;
  o.run_info = boost::json::serialize(info);
  auto rec = recorder::open(std::move(o));
  if (!rec)
    return rec;
  (*rec)->add_secret(cred.app_key);
  (*rec)->add_secret(cred.app_secret);
  return rec;
}

std::string format_recorder_summary(const recorder& rec) {
  auto st = rec.stats();
  char line[256];
  std::snprintf(
      line, sizeof line,
      "recording %s: %llu records in %llu chunks, %.1f MiB on disk (%.1f MiB raw), "
      "%llu dropped, %llu write errors\n",
      rec.dir().string().c_str(), static_cast<unsigned long long>(st.records),
      static_cast<unsigned long long>(st.chunks), static_cast<double>(st.bytes_written) / (1 << 20),
      static_cast<double>(st.raw_bytes) / (1 << 20), static_cast<unsigned long long>(st.dropped),
      static_cast<unsigned long long>(st.write_errors));
  return line;
}

} // namespace kis::runtime
