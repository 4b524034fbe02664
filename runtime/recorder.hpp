// The recorder: what came over the wire, kept for replay and backtest. The transports hand it
// records from their own threads (the WebSocket I/O thread, the libcurl thread); it only stamps
// them (receive time, sequence number) and queues them, so the live path never waits for the
// disk. A writer thread it owns scrubs known secrets, packs records into zstd chunks, appends
// them to one segment per trading day (rotated by size) and indexes every chunk in SQLite.
// A full queue drops records and counts them rather than block a transport.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "kis/clock.hpp"
#include "kis/recording_format.hpp"
#include "kis/result.hpp"
#include "runtime/recording_index.hpp"

namespace kis::runtime {

struct recorder_options {
  std::filesystem::path dir;                      // created when missing (mode 0700)
  std::uint64_t segment_bytes = 256ull << 20;     // a new segment past this size
  std::size_t chunk_bytes = 1u << 20;             // raw bytes of records per chunk
  std::chrono::milliseconds flush_interval{1000}; // a partial chunk is written after this
  int zstd_level = 3;
  std::size_t queue_limit = 200'000;       // records waiting; more are dropped
  std::uint64_t max_total_bytes = 0;       // 0 = keep all; else oldest segments go
  std::shared_ptr<const wall_clock> clock; // receive times; null = system clock
  std::string run_info;                    // JSON for the first marker record
  bool defer_writer = false;               // tests: the writer thread starts at the first flush()
};

struct recorder_stats {
  std::uint64_t records = 0; // written to a segment
  std::uint64_t dropped = 0; // queue full
  std::uint64_t chunks = 0;
  std::uint64_t segments = 0;      // opened by this recorder
  std::uint64_t bytes_written = 0; // compressed, headers included
  std::uint64_t raw_bytes = 0;     // records before compression
  std::uint64_t write_errors = 0;
  std::uint64_t segments_removed = 0; // by max_total_bytes
};

class recorder {
public:
  // Opens (creating) the directory and its index and starts the writer thread. errc::io or
  // errc::config when the directory cannot be used.
  static api::result<std::shared_ptr<recorder>> open(recorder_options opts);

  ~recorder(); // writes what is queued, closes the segment and joins the writer
  recorder(const recorder&) = delete;
  recorder& operator=(const recorder&) = delete;

  // Thread-safe and non-blocking (a short lock, no I/O). The transports call these.
  void ws_in(std::uint64_t session, std::string_view text);
  void ws_out(std::uint64_t session, std::string_view request_text);
  void ws_link(std::uint64_t session, std::string_view event);
  void rest(rec::record r); // src, endpoint, params, status, body... filled by the caller
  void marker(std::string json);

  // A secret that must never reach a segment (app key, app secret, tokens, approval keys): the
  // writer replaces every occurrence before encoding. Empty strings are ignored.
  void add_secret(std::string secret);

  // Blocks until everything queued so far is written and indexed (tests, shutdown).
  void flush();

  recorder_stats stats() const;
  const std::filesystem::path& dir() const noexcept { return opts_.dir; }

private:
  explicit recorder(recorder_options opts);
  void push(rec::record r);
  void push_text(rec::source src, std::uint64_t session, std::string_view text);
  void run();
  void write_pending(bool force);
  static void scrub(rec::record& r, const std::vector<std::string>& secrets);
  bool rotate_for(std::int32_t day);
  void close_segment();
  void enforce_retention();

  recorder_options opts_;
  std::shared_ptr<const wall_clock> clock_;

  // Shared between the transports and the writer.
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable flushed_;
  std::deque<rec::record> queue_;
  std::vector<std::string> secrets_;
  std::uint64_t next_seq_ = 1;
  std::uint64_t enqueued_ = 0; // seq of the last record queued
  std::uint64_t written_ = 0;  // seq of the last record written (or dropped by an error)
  bool stopping_ = false;
  bool flush_requested_ = false;
  std::atomic<std::uint64_t> dropped_{0};

  // The writer thread's own.
  std::optional<recording_index> index_;
  std::optional<rec::segment_writer> segment_;
  std::int64_t segment_id_ = 0;
  std::int32_t segment_day_ = 0;
  std::vector<rec::record> pending_;
  std::size_t pending_bytes_ = 0;
  std::chrono::steady_clock::time_point pending_since_{};
  std::atomic<std::uint64_t> records_{0}, chunks_{0}, segments_{0}, bytes_{0}, raw_{0};
  std::atomic<std::uint64_t> errors_{0}, removed_{0};

  void start_writer();
  std::once_flag writer_started_;
  std::thread writer_;
};

// The KST trading day (YYYYMMDD) a receive time belongs to.
std::int32_t recording_day(std::int64_t utc_ns) noexcept;

// What the index learns of one record (recording_index.hpp, record_keys).
void index_keys(const rec::record& r, record_keys& keys);

} // namespace kis::runtime
