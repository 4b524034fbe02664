#include "kis/http_transport.hpp"

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <curl/curl.h>

namespace kis::api {

namespace {

using steady = std::chrono::steady_clock;

const std::string body_too_large =
    "response body larger than " + std::to_string(max_response_body >> 20) + " MiB";

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct call {
  http_request req;
  http_transport::completion done;
  steady::time_point submitted = steady::now();
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::string body;
  bool too_large = false;
  bool left = false; // the pre-request callback let it go
  bool late = false; // the pre-request callback stopped it: its deadline had passed
  char errbuf[CURL_ERROR_SIZE] = {};
};

// libcurl calls this once the connection is ready and just before it writes the request: the
// only point that knows a request is leaving now, whatever the pool or a reconnect did before.
int on_prereq(void* user, char*, char*, int, int) {
  auto* c = static_cast<call*>(user);
  if (c->left)
    return CURL_PREREQFUNC_OK; // libcurl resends on a fresh connection: already counted
  if (c->req.leave_by != steady::time_point{} && steady::now() > c->req.leave_by) {
    c->late = true;
    return CURL_PREREQFUNC_ABORT;
  }
  c->left = true;
  if (c->req.on_leave) {
    try {
      c->req.on_leave();
    } catch (...) {
    }
  }
  return CURL_PREREQFUNC_OK;
}

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* c = static_cast<call*>(user);
  auto bytes = size * n;
  if (c->body.size() + bytes > max_response_body) {
    c->too_large = true;
    return 0; // aborts the transfer with CURLE_WRITE_ERROR
  }
  c->body.append(data, bytes);
  return bytes;
}

kis::http_exchange failed(const call& c, std::string why, bool sent) {
  kis::http_exchange ex;
  ex.call_id = c.req.call_id;
  ex.transport_error = std::move(why);
  ex.sent = sent;
  ex.elapsed_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(steady::now() - c.submitted).count();
  return ex;
}

void complete(call& c, kis::http_exchange ex) {
  // The transport thread must survive whatever a completion does.
  try {
    c.done(std::move(ex));
  } catch (...) {
  }
}

} // namespace

struct http_transport::impl {
  transport_options opts;
  CURLM* multi = nullptr;
  std::mutex mtx;
  std::vector<std::unique_ptr<call>> incoming; // guarded by mtx
  bool stopping = false;                       // guarded by mtx
  std::atomic<std::uint64_t> connections{0};
  // Worker thread only:
  std::unordered_map<CURL*, std::unique_ptr<call>> active;
  std::vector<CURL*> idle; // reset easy handles, reused to save allocations
  std::thread worker;

  explicit impl(transport_options o)
      : opts(std::move(o)) {
    global_init_once();
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                      std::max(1L, opts.max_host_connections));
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, std::max(1L, opts.max_host_connections) * 2);
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, long{CURLPIPE_NOTHING});
    worker = std::thread([this] { run(); });
  }

  ~impl() {
    {
      std::lock_guard guard{mtx};
      stopping = true;
    }
    curl_multi_wakeup(multi);
    worker.join();
    for (auto* e : idle)
      curl_easy_cleanup(e);
    curl_multi_cleanup(multi);
  }

  void run() {
    for (;;) {
      std::vector<std::unique_ptr<call>> fresh;
      {
        std::lock_guard guard{mtx};
        if (stopping)
          break;
        fresh.swap(incoming);
      }
      for (auto& c : fresh)
        start(std::move(c));
      int running = 0;
      curl_multi_perform(multi, &running);
      int queued = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi, &queued))
        if (msg->msg == CURLMSG_DONE)
          finish(msg->easy_handle, msg->data.result);
      curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
    }
    shut_down();
  }

  void start(std::unique_ptr<call> c) {
    CURL* e = nullptr;
    if (!idle.empty()) {
      e = idle.back();
      idle.pop_back();
    } else {
      e = curl_easy_init();
    }
    if (e == nullptr) {
      complete(*c, failed(*c, "could not create a curl handle", false));
      return;
    }
    c->easy = e;
    for (const auto& h : c->req.headers) {
      // "name;" is curl's spelling of a header with an empty value (tr_cont on a first page).
      auto line = h.value.empty() ? h.name + ";" : h.name + ": " + h.value;
      c->headers = curl_slist_append(c->headers, line.c_str());
    }
    c->headers = curl_slist_append(c->headers, "Expect:"); // no 100-continue round trip
    curl_easy_setopt(e, CURLOPT_URL, c->req.url.c_str());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, long{CURL_HTTP_VERSION_1_1});
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(opts.connect_timeout.count()));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(opts.total_timeout.count()));
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_response_body));
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, opts.verify_tls ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, opts.verify_tls ? 2L : 0L);
    if (!opts.ca_file.empty())
      curl_easy_setopt(e, CURLOPT_CAINFO, opts.ca_file.c_str());
    if (!opts.keep_alive) {
      curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
      curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    }
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, c.get());
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
    curl_easy_setopt(e, CURLOPT_PRIVATE, c.get());
    curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, &on_prereq);
    curl_easy_setopt(e, CURLOPT_PREREQDATA, c.get());
    if (c->req.method == http_method::post) {
      curl_easy_setopt(e, CURLOPT_POST, 1L);
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, c->req.body.data());
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(c->req.body.size()));
    } else {
      curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    }
    if (curl_multi_add_handle(multi, e) != CURLM_OK) {
      auto& ref = *c;
      release(ref);
      complete(ref, failed(ref, "could not queue the request", false));
      return;
    }
    active.emplace(e, std::move(c));
  }

  // Did any byte of the request leave? Connect-phase failures never reach pre-transfer.
  static bool request_left(CURL* e) {
    curl_off_t pretransfer = 0;
    long request_size = 0;
    curl_easy_getinfo(e, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
    curl_easy_getinfo(e, CURLINFO_REQUEST_SIZE, &request_size);
    return pretransfer > 0 || request_size > 0;
  }

  void finish(CURL* e, CURLcode rc) {
    auto it = active.find(e);
    if (it == active.end())
      return;
    auto c = std::move(it->second);
    active.erase(it);
    curl_multi_remove_handle(multi, e);

    long new_conns = 0;
    curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &new_conns);
    connections.fetch_add(static_cast<std::uint64_t>(std::max(0L, new_conns)));

    kis::http_exchange ex;
    if (rc == CURLE_OK) {
      long status = 0;
      curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
      ex.call_id = c->req.call_id;
      ex.http_status = static_cast<int>(status);
      ex.sent = true;
      ex.body = std::move(c->body);
      curl_header* h = nullptr;
      if (curl_easy_header(e, "tr_cont", 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h != nullptr)
        ex.tr_cont = h->value;
      ex.elapsed_ns =
          std::chrono::duration_cast<std::chrono::nanoseconds>(steady::now() - c->submitted)
              .count();
    } else if (c->late) {
      ex = failed(*c, "did not leave before its permit's deadline (no connection free in time)",
                  false);
      ex.late = true;
    } else {
      const bool too_large = c->too_large || rc == CURLE_FILESIZE_EXCEEDED;
      std::string why = too_large              ? body_too_large
                        : c->errbuf[0] != '\0' ? std::string{c->errbuf}
                                               : std::string{curl_easy_strerror(rc)};
      ex = failed(*c, std::move(why), c->left || request_left(e));
    }
    release(*c);
    complete(*c, std::move(ex));
  }

  // Gives the easy handle back to the pool and frees the header list.
  void release(call& c) {
    curl_slist_free_all(c.headers);
    c.headers = nullptr;
    if (c.easy != nullptr) {
      curl_easy_reset(c.easy);
      idle.push_back(c.easy);
      c.easy = nullptr;
    }
  }

  void shut_down() {
    for (auto& [e, c] : active) {
      bool sent = c->left || request_left(e);
      curl_multi_remove_handle(multi, e);
      release(*c);
      complete(*c, failed(*c, "transport shut down", sent));
    }
    active.clear();
    std::vector<std::unique_ptr<call>> left;
    {
      std::lock_guard guard{mtx};
      left.swap(incoming);
    }
    for (auto& c : left)
      complete(*c, failed(*c, "transport shut down", false));
  }
};

http_transport::http_transport(transport_options opts)
    : impl_(std::make_unique<impl>(std::move(opts))) {}

http_transport::~http_transport() = default;

void http_transport::submit(http_request req, completion done) {
  auto c = std::make_unique<call>();
  c->req = std::move(req);
  c->done = std::move(done);
  {
    std::lock_guard guard{impl_->mtx};
    if (!impl_->stopping) {
      impl_->incoming.push_back(std::move(c));
    }
  }
  if (c) { // refused: the transport is shutting down
    complete(*c, failed(*c, "transport shut down", false));
    return;
  }
  curl_multi_wakeup(impl_->multi);
}

kis::http_exchange http_transport::perform(http_request req) {
  if (std::this_thread::get_id() == impl_->worker.get_id()) {
    call c;
    c.req = std::move(req);
    return failed(c, "perform() called on the transport thread", false);
  }
  std::promise<kis::http_exchange> promise;
  auto result = promise.get_future();
  submit(std::move(req), [&promise](kis::http_exchange ex) { promise.set_value(std::move(ex)); });
  return result.get();
}

std::uint64_t http_transport::connections_opened() const noexcept {
  return impl_->connections.load();
}

const transport_options& http_transport::options() const noexcept {
  return impl_->opts;
}

} // namespace kis::api
