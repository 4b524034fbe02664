#include "runtime/replay_source.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <optional>

#include "runtime/recorder.hpp"
#include "runtime/recording_index.hpp"

namespace kis::runtime {

namespace {

namespace fs = std::filesystem;

// One segment to read: the indexed chunks (offsets), then everything after `tail_from`.
struct segment_plan {
  fs::path file;
  std::vector<std::uint64_t> offsets;
  std::optional<std::uint64_t> tail_from; // scan from here to the end of the file
};

class file_source final : public record_source {
public:
  file_source(std::vector<segment_plan> plan, recording_filter filter)
      : plan_(std::move(plan))
      , filter_(std::move(filter)) {
    for (const auto& p : plan_)
      total_ += p.offsets.size() + (p.tail_from ? 1 : 0);
  }

  bool next(rec::record& out) override {
    for (;;) {
      while (!buffer_.empty()) {
        out = std::move(buffer_.front());
        buffer_.pop_front();
        if (out.recv_ns < filter_.from_ns || out.recv_ns > filter_.to_ns)
          continue;
        if (out.seq <= last_seq_) // a chunk both indexed and met again by a tail scan
          continue;
        last_seq_ = out.seq;
        return true;
      }
      if (!fill())
        return false;
    }
  }

  std::vector<rec::read_problem> problems() const override {
    auto out = closed_problems_;
    if (reader_)
      out.insert(out.end(), reader_->problems().begin(), reader_->problems().end());
    return out;
  }

  double progress() const override {
    return total_ == 0 ? 1.0
                       : std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_));
  }

private:
  // Reads the next chunk into buffer_; false when every segment is done.
  bool fill() {
    std::vector<rec::record> chunk;
    rec::chunk_info info;
    while (seg_ < plan_.size()) {
      auto& p = plan_[seg_];
      if (!reader_ && !open_segment(p))
        continue;
      if (chunk_ < p.offsets.size()) {
        auto at = p.offsets[chunk_++];
        ++done_;
        if (reader_->read_at(at, chunk, info)) {
          buffer_.assign(std::make_move_iterator(chunk.begin()),
                         std::make_move_iterator(chunk.end()));
          return true;
        }
        continue; // damaged: reported by the reader, the next chunk follows
      }
      if (p.tail_from && !tail_started_) {
        tail_started_ = true;
        ++done_;
        reader_->seek(*p.tail_from);
      }
      if (p.tail_from && reader_->next(chunk, info)) {
        buffer_.assign(std::make_move_iterator(chunk.begin()),
                       std::make_move_iterator(chunk.end()));
        return true;
      }
      close_segment();
    }
    return false;
  }

  bool open_segment(const segment_plan& p) {
    auto r = rec::segment_reader::open(p.file);
    if (!r) {
      closed_problems_.push_back({p.file.filename().string(), 0, r.error().message});
      ++seg_;
      done_ += p.offsets.size() + (p.tail_from ? 1 : 0);
      return false;
    }
    reader_.emplace(std::move(*r));
    chunk_ = 0;
    tail_started_ = false;
    return true;
  }

  void close_segment() {
    if (reader_)
      closed_problems_.insert(closed_problems_.end(), reader_->problems().begin(),
                              reader_->problems().end());
    reader_.reset();
    ++seg_;
  }

  std::vector<segment_plan> plan_;
  recording_filter filter_;
  std::size_t seg_ = 0, chunk_ = 0;
  bool tail_started_ = false;
  std::optional<rec::segment_reader> reader_;
  std::deque<rec::record> buffer_;
  std::uint64_t last_seq_ = 0;
  std::vector<rec::read_problem> closed_problems_;
  std::size_t total_ = 0, done_ = 0;
};

class vector_source final : public record_source {
public:
  explicit vector_source(std::vector<rec::record> rs)
      : records_(std::move(rs)) {}
  bool next(rec::record& out) override {
    if (pos_ >= records_.size())
      return false;
    out = std::move(records_[pos_++]);
    return true;
  }
  double progress() const override {
    return records_.empty() ? 1.0
                            : static_cast<double>(pos_) / static_cast<double>(records_.size());
  }

private:
  std::vector<rec::record> records_;
  std::size_t pos_ = 0;
};

// Every segment file of a directory, in name order (day, then number), scanned whole.
std::vector<segment_plan> scan_plan(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".krec")
      files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<segment_plan> plan;
  for (auto& f : files)
    plan.push_back({std::move(f), {}, rec::file_header_size});
  return plan;
}

std::vector<segment_plan> indexed_plan(const fs::path& dir, recording_index& idx,
                                       const recording_filter& filter) {
  chunk_filter cf;
  cf.from_ns = filter.from_ns;
  cf.to_ns = filter.to_ns;
  cf.symbols = filter.symbols;
  std::map<std::int64_t, segment_plan> by_segment;
  std::map<std::int64_t, std::uint64_t> indexed_end;
  for (auto& c : idx.chunks({})) // where the index ends in each segment
    indexed_end[c.segment] = std::max(indexed_end[c.segment], c.info.offset + c.info.length);
  for (auto& c : idx.chunks(cf)) {
    auto& p = by_segment[c.segment];
    p.file = dir / c.file;
    p.offsets.push_back(c.info.offset);
  }
  for (const auto& s : idx.segments()) {
    if (filter.to_ns < s.first_ns && s.records > 0)
      continue;
    std::error_code ec;
    auto size = fs::file_size(dir / s.file, ec);
    auto end = indexed_end.count(s.id) ? indexed_end[s.id] : rec::file_header_size;
    if (!ec && size > end) { // chunks written after the last index update (a crash)
      auto& p = by_segment[s.id];
      p.file = dir / s.file;
      p.tail_from = end;
    }
  }
  std::vector<segment_plan> plan;
  for (auto& [id, p] : by_segment)
    plan.push_back(std::move(p));
  return plan;
}

} // namespace

api::result<std::unique_ptr<record_source>> open_recording(const fs::path& path,
                                                           const recording_filter& filter) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    std::vector<segment_plan> one{{path, {}, rec::file_header_size}};
    return std::unique_ptr<record_source>{std::make_unique<file_source>(std::move(one), filter)};
  }
  if (!fs::is_directory(path, ec))
    return api::make_api_error(errc::io, "replay: no recording at \"" + path.string() + "\"");
  std::vector<segment_plan> plan;
  if (auto idx = recording_index::open(path, false))
    plan = indexed_plan(path, *idx, filter);
  else
    plan = scan_plan(path);
  if (plan.empty() && scan_plan(path).empty())
    return api::make_api_error(errc::io,
                               "replay: no segments (*.krec) in \"" + path.string() + "\"");
  return std::unique_ptr<record_source>{std::make_unique<file_source>(std::move(plan), filter)};
}

std::unique_ptr<record_source> memory_source(std::vector<rec::record> records) {
  return std::make_unique<vector_source>(std::move(records));
}

std::set<std::string> recorded_ws_symbols(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec))
    if (auto idx = recording_index::open(path, false))
      return idx->ws_symbols();
  // No index (a crash, or one segment file): read the frames themselves.
  auto src = open_recording(path, {});
  if (!src)
    return {};
  record_keys keys;
  rec::record r;
  while ((*src)->next(r))
    if (r.src == rec::source::ws_in)
      index_keys(r, keys);
  return std::move(keys.ws_symbols);
}

} // namespace kis::runtime
