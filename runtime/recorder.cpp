#include "runtime/recorder.hpp"

#include <algorithm>
#include <cstdio>

#include "kis/kst.hpp"
#include "kis/realtime_frames.hpp"

namespace kis::runtime {

namespace {

using api::make_api_error;

constexpr std::size_t wake_batch = 512; // records that wake the writer before its interval

std::size_t approx_size(const rec::record& r) {
  auto n = 32 + r.text.size() + r.body.size() + r.endpoint.size() + r.error.size();
  for (const auto& p : r.params)
    n += p.name.size() + p.value.size() + 4;
  return n;
}

void replace_all(std::string& s, const std::string& what) {
  for (auto pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos))
    s.replace(pos, what.size(), "(redacted)");
}

// Symbols of a trade or book frame: field 0 of every record.
void frame_symbols(std::string_view payload, std::uint32_t count, std::set<std::string>& out) {
  std::size_t fields =
      static_cast<std::size_t>(std::count(payload.begin(), payload.end(), '^')) + 1;
  if (count == 0 || fields % count != 0)
    return;
  const auto per = fields / count;
  std::size_t field = 0, start = 0;
  for (std::size_t i = 0; i <= payload.size(); ++i) {
    if (i != payload.size() && payload[i] != '^')
      continue;
    if (field % per == 0)
      out.emplace(payload.substr(start, i - start));
    ++field;
    start = i + 1;
  }
}

} // namespace

std::int32_t recording_day(std::int64_t utc_ns) noexcept {
  return api::kst::date_of(utc_ns);
}

void index_keys(const rec::record& r, record_keys& keys) {
  auto& trs = keys.trs;
  switch (r.src) {
  case rec::source::ws_in:
    if (api::classify(r.text) == api::frame_kind::data) {
      auto f = api::split_frame(r.text);
      if (!f)
        return;
      trs.emplace(f->tr_id);
      if (f->tr_id == api::tr_trades || f->tr_id == api::tr_book)
        frame_symbols(f->payload, f->count, keys.ws_symbols);
    } else if (api::is_pingpong(r.text)) {
      trs.emplace("PINGPONG");
    } else if (auto c = api::parse_control(r.text); c && !api::is_notice_tr(c->tr_id)) {
      trs.emplace(c->tr_id);
      if (!c->tr_key.empty())
        keys.ws_symbols.emplace(c->tr_key);
    }
    return;
  case rec::source::rest:
    trs.emplace(r.tr_id.empty() ? r.endpoint : r.tr_id);
    for (const auto& p : r.params)
      if ((p.name == "FID_INPUT_ISCD" || p.name == "PDNO") && !p.value.empty() && p.value != "*")
        keys.rest_symbols.emplace(p.value);
    return;
  default:
    return;
  }
}

api::result<std::shared_ptr<recorder>> recorder::open(recorder_options opts) {
  if (opts.dir.empty())
    return make_api_error(errc::config, "recorder.path: empty");
  if (opts.chunk_bytes == 0 || opts.segment_bytes == 0 || opts.queue_limit == 0)
    return make_api_error(errc::config, "recorder: sizes must be greater than 0");
  std::error_code ec;
  std::filesystem::create_directories(opts.dir, ec);
  if (ec)
    return make_api_error(errc::io, "recorder.path: cannot create \"" + opts.dir.string() +
                                        "\": " + ec.message());
  std::filesystem::permissions(opts.dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  auto idx = recording_index::open(opts.dir, true);
  if (!idx)
    return std::move(idx).error();
  std::shared_ptr<recorder> r{new recorder(std::move(opts))};
  r->index_.emplace(std::move(*idx));
  if (!r->opts_.run_info.empty())
    r->marker(r->opts_.run_info);
  if (!r->opts_.defer_writer)
    r->start_writer();
  return r;
}

recorder::recorder(recorder_options opts)
    : opts_(std::move(opts))
    , clock_(opts_.clock ? opts_.clock : default_wall_clock()) {}

recorder::~recorder() {
  start_writer(); // a deferred writer still writes what was queued
  {
    std::lock_guard lock{mu_};
    stopping_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable())
    writer_.join();
}

void recorder::push(rec::record r) {
  bool wake = false;
  {
    std::lock_guard lock{mu_};
    if (queue_.size() >= opts_.queue_limit || stopping_) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    r.seq = next_seq_++;
    r.recv_ns = clock_->now_ns();
    enqueued_ = r.seq;
    queue_.push_back(std::move(r));
    // The writer sleeps until a batch is worth waking it for (or its flush interval passes):
    // a wake-up per frame would cost the transport thread a system call per frame.
    wake = queue_.size() == std::min(wake_batch, std::max<std::size_t>(1, opts_.queue_limit / 2));
  }
  if (wake)
    wake_.notify_one();
}

void recorder::push_text(rec::source src, std::uint64_t session, std::string_view text) {
  rec::record r;
  r.src = src;
  r.session = session;
  r.text.assign(text);
  push(std::move(r));
}

void recorder::ws_in(std::uint64_t session, std::string_view text) {
  push_text(rec::source::ws_in, session, text);
}

void recorder::ws_out(std::uint64_t session, std::string_view request_text) {
  push_text(rec::source::ws_out, session, request_text);
}

void recorder::ws_link(std::uint64_t session, std::string_view event) {
  push_text(rec::source::ws_link, session, event);
}

void recorder::rest(rec::record r) {
  r.src = rec::source::rest;
  push(std::move(r));
}

void recorder::marker(std::string json) {
  push_text(rec::source::marker, 0, json);
}

void recorder::add_secret(std::string secret) {
  if (secret.empty())
    return;
  std::lock_guard lock{mu_};
  if (std::find(secrets_.begin(), secrets_.end(), secret) == secrets_.end())
    secrets_.push_back(std::move(secret));
}

void recorder::start_writer() {
  std::call_once(writer_started_, [this] { writer_ = std::thread{[this] { run(); }}; });
}

void recorder::flush() {
  start_writer();
  std::unique_lock lock{mu_};
  const auto target = enqueued_;
  flush_requested_ = true;
  wake_.notify_all();
  flushed_.wait(lock, [&] { return written_ >= target || stopping_; });
}

recorder_stats recorder::stats() const {
  recorder_stats s;
  s.records = records_.load();
  s.dropped = dropped_.load();
  s.chunks = chunks_.load();
  s.segments = segments_.load();
  s.bytes_written = bytes_.load();
  s.raw_bytes = raw_.load();
  s.write_errors = errors_.load();
  s.segments_removed = removed_.load();
  return s;
}

// --- the writer thread ------------------------------------------------------------------------

void recorder::scrub(rec::record& r, const std::vector<std::string>& secrets) {
  for (const auto& s : secrets) {
    replace_all(r.text, s);
    replace_all(r.body, s);
    replace_all(r.error, s);
    for (auto& p : r.params)
      replace_all(p.value, s);
  }
}

void recorder::run() {
  std::unique_lock lock{mu_};
  for (;;) {
    wake_.wait_for(lock, opts_.flush_interval,
                   [&] { return stopping_ || queue_.size() >= wake_batch || flush_requested_; });
    std::deque<rec::record> batch;
    batch.swap(queue_);
    const auto secrets =
        secrets_; // taken with the batch: every record after add_secret is scrubbed
    const bool stop = stopping_;
    const bool force = stop || std::exchange(flush_requested_, false);
    lock.unlock();
    for (auto& r : batch) {
      scrub(r, secrets);
      pending_bytes_ += approx_size(r);
      if (pending_.empty())
        pending_since_ = std::chrono::steady_clock::now();
      pending_.push_back(std::move(r));
      if (pending_bytes_ >= opts_.chunk_bytes)
        write_pending(true);
    }
    // A partial chunk waits for more records, up to flush_interval; flush() and stop force it.
    write_pending(force ||
                  std::chrono::steady_clock::now() - pending_since_ >= opts_.flush_interval);
    lock.lock();
    written_ = pending_.empty() ? enqueued_ - queue_.size() : pending_.front().seq - 1;
    flushed_.notify_all();
    if (stop && queue_.empty())
      break;
  }
  lock.unlock();
  close_segment();
}

void recorder::write_pending(bool force) {
  if (pending_.empty() || !force)
    return;
  // Records of one chunk belong to one trading day: split where the day changes.
  std::size_t from = 0;
  while (from < pending_.size()) {
    const auto day = recording_day(pending_[from].recv_ns);
    auto to = from + 1;
    while (to < pending_.size() && recording_day(pending_[to].recv_ns) == day)
      ++to;
    std::span<const rec::record> part{pending_.data() + from, to - from};
    if (rotate_for(day)) {
      auto info = segment_->append(part);
      if (info) {
        record_keys keys;
        std::size_t raw = 0;
        for (const auto& r : part) {
          index_keys(r, keys);
          raw += approx_size(r);
        }
        if (!index_->add_chunk(segment_id_, *info, segment_->size(), keys))
          errors_.fetch_add(1);
        records_.fetch_add(part.size());
        chunks_.fetch_add(1);
        bytes_.fetch_add(info->length);
        raw_.fetch_add(raw);
      } else {
        errors_.fetch_add(1);
        std::fprintf(stderr, "kis-engine: recorder: %s\n", info.error().message.c_str());
      }
    } else {
      errors_.fetch_add(1);
    }
    from = to;
  }
  pending_.clear();
  pending_bytes_ = 0;
}

// Makes sure the open segment is for `day` and has room; false when none could be opened.
bool recorder::rotate_for(std::int32_t day) {
  if (segment_ && (segment_day_ != day || segment_->size() >= opts_.segment_bytes))
    close_segment();
  if (segment_)
    return true;
  for (auto n = index_->segments_on(day) + 1; n < 1'000'000; ++n) {
    char name[32];
    std::snprintf(name, sizeof name, "%08d-%06zu.krec", static_cast<int>(day), n);
    if (std::filesystem::exists(opts_.dir / name))
      continue;
    auto w = rec::segment_writer::create(opts_.dir / name, opts_.zstd_level);
    if (!w) {
      std::fprintf(stderr, "kis-engine: recorder: %s\n", w.error().message.c_str());
      return false;
    }
    auto id = index_->add_segment(name, day);
    if (!id) {
      std::fprintf(stderr, "kis-engine: recorder: %s\n", id.error().message.c_str());
      return false;
    }
    segment_.emplace(std::move(*w));
    segment_id_ = *id;
    segment_day_ = day;
    segments_.fetch_add(1);
    return true;
  }
  return false;
}

void recorder::close_segment() {
  if (!segment_)
    return;
  if (!segment_->sync())
    errors_.fetch_add(1);
  index_->close_segment(segment_id_);
  segment_.reset();
  enforce_retention();
}

// Deletes the oldest closed segments while the recording is over max_total_bytes.
void recorder::enforce_retention() {
  if (opts_.max_total_bytes == 0)
    return;
  auto segs = index_->segments();
  std::uint64_t total = 0;
  for (const auto& s : segs)
    total += s.bytes;
  for (const auto& s : segs) {
    if (total <= opts_.max_total_bytes)
      break;
    if (!s.closed || s.id == segment_id_)
      continue;
    std::error_code ec;
    std::filesystem::remove(opts_.dir / s.file, ec);
    if (index_->remove_segment(s.id)) {
      total -= std::min(total, s.bytes);
      removed_.fetch_add(1);
    }
  }
}

} // namespace kis::runtime
