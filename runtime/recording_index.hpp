// The SQLite index of a recording directory: one row per segment (its trading day, time and
// sequence range, size), one per chunk (offset, range, record count) and the symbols and TRs
// each chunk holds, so a day, a time range or a symbol is found without reading the segments.
// The recorder's writer thread writes it; replay reads it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "kis/recording_format.hpp"
#include "kis/result.hpp"

struct sqlite3;

namespace kis::runtime {

struct segment_row {
  std::int64_t id = 0;
  std::string file;     // name inside the recording directory
  std::int32_t day = 0; // KST trading day, YYYYMMDD
  std::int64_t first_ns = 0, last_ns = 0;
  std::uint64_t first_seq = 0, last_seq = 0;
  std::uint64_t records = 0;
  std::uint64_t bytes = 0; // file size as of the last chunk
  bool closed = false;
};

// What the index learns of the records of one chunk.
struct record_keys {
  std::set<std::string> ws_symbols;   // each record of a trade or book frame
  std::set<std::string> rest_symbols; // the symbol parameter of a REST call
  std::set<std::string> trs;          // tr_id of a frame or a REST call, PINGPONG
};

struct chunk_row {
  std::int64_t segment = 0;
  std::string file;
  rec::chunk_info info;
};

// Which chunks to read. Empty symbol / TR lists mean "any"; a chunk matches when its time range
// overlaps [from_ns, to_ns] and it holds one of the symbols (or one of the TRs).
struct chunk_filter {
  std::int64_t from_ns = std::numeric_limits<std::int64_t>::min();
  std::int64_t to_ns = std::numeric_limits<std::int64_t>::max();
  std::vector<std::string> symbols;
  std::vector<std::string> trs;
};

class recording_index {
public:
  static constexpr const char* file_name = "index.sqlite";

  // create: make the file and tables when missing; otherwise the index must exist.
  static api::result<recording_index> open(const std::filesystem::path& dir, bool create);

  recording_index(recording_index&& other) noexcept;
  recording_index& operator=(recording_index&& other) noexcept;
  ~recording_index();

  // --- the writer -------------------------------------------------------------------------
  api::result<std::int64_t> add_segment(const std::string& file, std::int32_t day);
  api::result<bool> add_chunk(std::int64_t segment, const rec::chunk_info& info,
                              std::uint64_t file_size, const record_keys& keys);
  api::result<bool> close_segment(std::int64_t segment);
  api::result<bool> remove_segment(std::int64_t segment);

  // --- the readers ------------------------------------------------------------------------
  std::vector<segment_row> segments();                  // oldest first
  std::vector<chunk_row> chunks(const chunk_filter& f); // in sequence order
  // Segments of one day whose numbering continues (seg numbers already used that day).
  std::size_t segments_on(std::int32_t day);
  // Every symbol that came in a WebSocket trade or book frame.
  std::set<std::string> ws_symbols();

private:
  recording_index() = default;
  api::result<bool> exec(const char* sql);
  api::api_error fail(const char* what) const;

  sqlite3* db_ = nullptr;
};

} // namespace kis::runtime
