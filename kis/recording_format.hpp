// The recording format: what kis-engine saw on the wire, as append-only segment files of
// zstd-compressed chunks. Plain code, no I/O threads, no actors; the recorder (runtime/) owns
// the writing thread and the SQLite index, replay reads segments back through this reader.
//
// A segment is a 16-byte file header followed by chunks. A chunk is a 56-byte header
// (magic, sizes, record count, first sequence number and time range, CRC-32 of the compressed
// payload, CRC-32 of the header itself) and one zstd frame holding its records. Every chunk can
// be checked and decoded alone, so a torn write or a flipped bit costs one chunk: the reader
// reports it with its file offset and looks for the next valid chunk header.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kis/result.hpp"
#include "messages/rest.hpp"

namespace kis::rec {

using api::result;

// Where a record came from.
enum class source : std::uint8_t {
  marker = 0,  // the recorder's own note (JSON): start of a run, what was recorded
  ws_in = 1,   // a text frame from the WebSocket server, as received (ack keys removed)
  ws_out = 2,  // what the engine registered: tr_type, tr_id, tr_key only (never the frame)
  ws_link = 3, // the session came up ("up") or went down ("down: why")
  rest = 4,    // one REST exchange: endpoint, non-secret parameters, status and body
};
inline constexpr std::uint8_t source_count = 5;

std::string_view to_string_view(source s) noexcept;

struct record {
  std::uint64_t seq = 0;    // order of arrival across every source of one recorder
  std::int64_t recv_ns = 0; // UTC ns when it arrived
  source src = source::marker;
  std::uint64_t session = 0; // the feed's WebSocket session id (ws_*)
  std::string text;          // frame text, link event or marker JSON
  // rest only
  std::string endpoint; // kis/endpoints.hpp name, e.g. "inquire_price"
  std::string tr_id;
  std::vector<kis::field> params; // the request's non-secret parameters
  std::int32_t http_status = 0;
  std::string tr_cont; // response header
  std::string body;    // response body (OAuth answers without their secrets)
  std::string error;   // transport error, when no answer came
  std::int64_t elapsed_ns = 0;
};

// --- chunks ---------------------------------------------------------------------------------

inline constexpr std::size_t file_header_size = 16;
inline constexpr std::size_t chunk_header_size = 56;
inline constexpr std::uint32_t max_chunk_bytes = 64u << 20; // compressed or raw

struct chunk_info {
  std::uint64_t offset = 0; // of the chunk header in its segment file
  std::uint32_t length = 0; // header plus payload
  std::uint32_t records = 0;
  std::uint64_t first_seq = 0, last_seq = 0;
  std::int64_t first_ns = 0, last_ns = 0;
};

// The file header every segment starts with.
std::string file_header();
bool is_file_header(std::span<const std::uint8_t> bytes) noexcept;

// Records -> the raw (uncompressed) payload, and back. Decoding checks every length against
// what is left and fails with errc::malformed instead of reading past the end.
std::string encode_records(std::span<const record> records);
result<std::vector<record>> decode_records(std::string_view raw, std::uint32_t count);

// One whole chunk (header + compressed payload) for records (at least one).
std::string encode_chunk(std::span<const record> records, int zstd_level);

// The header fields, once the header's own CRC and its limits have been checked.
struct chunk_header {
  std::uint32_t compressed_size = 0;
  std::uint32_t raw_size = 0;
  std::uint32_t records = 0;
  std::uint32_t payload_crc = 0;
  std::uint64_t first_seq = 0;
  std::int64_t first_ns = 0;
  std::int64_t last_ns = 0;
};
result<chunk_header> parse_chunk_header(std::span<const std::uint8_t> bytes);
// Checks the payload CRC, decompresses and decodes.
result<std::vector<record>> decode_chunk_payload(const chunk_header& h,
                                                 std::span<const std::uint8_t> payload);

// CRC-32 (IEEE 802.3), as zlib computes it.
std::uint32_t crc32(std::span<const std::uint8_t> bytes, std::uint32_t crc = 0) noexcept;

// --- segment files ----------------------------------------------------------------------------

// Appends chunks to one segment file. Not thread-safe: the recorder's writer thread owns it.
class segment_writer {
public:
  // Creates the file (it must not exist yet) and writes the file header.
  static result<segment_writer> create(const std::filesystem::path& path, int zstd_level);

  segment_writer(segment_writer&&) noexcept = default;
  segment_writer& operator=(segment_writer&&) noexcept = default;
  ~segment_writer();

  // Appends one chunk and flushes it to the kernel; errc::io when the disk says no.
  result<chunk_info> append(std::span<const record> records);
  // fsync; the recorder calls it when it closes a segment.
  result<bool> sync();

  std::uint64_t size() const noexcept { return size_; }
  const std::filesystem::path& path() const noexcept { return path_; }

private:
  segment_writer() = default;
  struct file_closer {
    void operator()(std::FILE* f) const noexcept;
  };
  std::unique_ptr<std::FILE, file_closer> file_;
  std::filesystem::path path_;
  std::uint64_t size_ = 0;
  int level_ = 3;
};

// A damaged or missing part of a segment, found while reading.
struct read_problem {
  std::string file;
  std::uint64_t offset = 0;
  std::string what;
  std::string to_string() const; // "<file> @ <offset>: <what>"
};

// Reads a segment chunk by chunk. A chunk that fails its checks is reported (with its offset)
// and skipped: the reader looks for the next header whose own CRC holds and goes on.
class segment_reader {
public:
  static result<segment_reader> open(const std::filesystem::path& path);

  segment_reader(segment_reader&&) noexcept = default;
  segment_reader& operator=(segment_reader&&) noexcept = default;
  ~segment_reader();

  // The next good chunk's records; false at the end of the file.
  bool next(std::vector<record>& out, chunk_info& info);
  // The chunk at a known offset (from the index); false (and a problem) when it is damaged.
  bool read_at(std::uint64_t offset, std::vector<record>& out, chunk_info& info);
  // Where next() continues.
  void seek(std::uint64_t offset) noexcept { pos_ = offset; }

  const std::vector<read_problem>& problems() const noexcept { return problems_; }
  std::uint64_t file_size() const noexcept { return size_; }

private:
  segment_reader() = default;
  enum class outcome : std::uint8_t { good, bad, end };
  outcome read_chunk(std::uint64_t offset, std::vector<record>& out, chunk_info& info);
  bool read_bytes(std::uint64_t offset, std::size_t n, std::vector<std::uint8_t>& out);
  std::uint64_t resync(std::uint64_t from);
  void problem(std::uint64_t offset, std::string what);

  struct file_closer {
    void operator()(std::FILE* f) const noexcept;
  };
  std::unique_ptr<std::FILE, file_closer> file_;
  std::string name_;
  std::uint64_t size_ = 0;
  std::uint64_t pos_ = file_header_size;
  std::vector<std::uint8_t> buf_;
  std::vector<read_problem> problems_;
};

} // namespace kis::rec
