// Records in the order they were received, for the replay driver: from a recording directory
// (chunks chosen through its SQLite index, plus any chunks a crash left unindexed at the end
// of a segment; every segment scanned when there is no index) or from memory (bar backtests).
// Damaged chunks are skipped and reported with their file and offset.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "kis/recording_format.hpp"
#include "kis/result.hpp"

namespace kis::runtime {

struct recording_filter {
  std::int64_t from_ns = std::numeric_limits<std::int64_t>::min();
  std::int64_t to_ns = std::numeric_limits<std::int64_t>::max();
  std::vector<std::string> symbols; // chunks holding none of them are not read (empty: all)
};

class record_source {
public:
  virtual ~record_source() = default;
  // The next record in receive order; false when there is none left.
  virtual bool next(rec::record& out) = 0;
  // Damage found so far.
  virtual std::vector<rec::read_problem> problems() const { return {}; }
  // Share of the work done, 0..1, for the progress line.
  virtual double progress() const = 0;
};

// A recording directory (or one segment file). errc::io when there is nothing to read.
api::result<std::unique_ptr<record_source>> open_recording(const std::filesystem::path& path,
                                                           const recording_filter& filter);

std::unique_ptr<record_source> memory_source(std::vector<rec::record> records);

// Symbols the recording has WebSocket frames for: from its index, or by reading the frames
// when there is none.
std::set<std::string> recorded_ws_symbols(const std::filesystem::path& path);

} // namespace kis::runtime
