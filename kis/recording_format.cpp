#include "kis/recording_format.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <unistd.h>
#include <zstd.h>

namespace kis::rec {

namespace {

using api::make_api_error;

constexpr std::uint32_t chunk_magic = 0x4b43524bu; // "KRCK" little-endian
constexpr std::array<char, 8> file_magic{'K', 'I', 'S', 'R', 'E', 'C', '\0', '\1'};

// --- little-endian and varint helpers ---------------------------------------------------------

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint32_t get_u32(const std::uint8_t* p) noexcept {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

std::uint64_t get_u64(const std::uint8_t* p) noexcept {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

std::uint64_t zigzag(std::int64_t v) noexcept {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}

std::int64_t unzigzag(std::uint64_t v) noexcept {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

void put_bytes(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

// Bounds-checked reading of a raw payload: every read either succeeds or sets `bad`.
class cursor {
public:
  explicit cursor(std::string_view data)
      : data_(data) {}

  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size())
        return fail();
      auto b = static_cast<std::uint8_t>(data_[pos_++]);
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0)
        return v;
    }
    return fail();
  }
  std::uint8_t byte() {
    if (pos_ >= data_.size())
      return static_cast<std::uint8_t>(fail());
    return static_cast<std::uint8_t>(data_[pos_++]);
  }
  std::string bytes() {
    auto n = varint();
    if (bad_ || n > data_.size() - pos_) {
      fail();
      return {};
    }
    std::string out{data_.substr(pos_, n)};
    pos_ += n;
    return out;
  }
  bool bad() const noexcept { return bad_; }
  bool at_end() const noexcept { return pos_ == data_.size(); }

private:
  std::uint64_t fail() {
    bad_ = true;
    pos_ = data_.size();
    return 0;
  }
  std::string_view data_;
  std::size_t pos_ = 0;
  bool bad_ = false;
};

std::string strerror_text(int err) {
  return std::string{std::strerror(err)};
}

} // namespace

std::string_view to_string_view(source s) noexcept {
  switch (s) {
  case source::marker:
    return "marker";
  case source::ws_in:
    return "ws_in";
  case source::ws_out:
    return "ws_out";
  case source::ws_link:
    return "ws_link";
  case source::rest:
    return "rest";
  }
  return "unknown";
}

std::uint32_t crc32(std::span<const std::uint8_t> bytes, std::uint32_t crc) noexcept {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k)
        c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (auto b : bytes)
    crc = table[(crc ^ b) & 0xff] ^ (crc >> 8);
  return ~crc;
}

std::string file_header() {
  std::string out{file_magic.begin(), file_magic.end()};
  put_u32(out, 1); // format version
  put_u32(out, crc32({reinterpret_cast<const std::uint8_t*>(out.data()), out.size()}));
  return out;
}

bool is_file_header(std::span<const std::uint8_t> bytes) noexcept {
  return bytes.size() >= file_header_size &&
         std::equal(file_magic.begin(), file_magic.end(), bytes.begin(),
                    [](char a, std::uint8_t b) { return static_cast<std::uint8_t>(a) == b; }) &&
         get_u32(bytes.data() + 12) == crc32(bytes.first(12));
}

// --- records ----------------------------------------------------------------------------------

std::string encode_records(std::span<const record> records) {
  std::string out;
  for (const auto& r : records) {
    out.push_back(static_cast<char>(r.src));
    put_varint(out, r.seq);
    put_varint(out, zigzag(r.recv_ns));
    put_varint(out, r.session);
    put_bytes(out, r.text);
    if (r.src != source::rest)
      continue;
    put_bytes(out, r.endpoint);
    put_bytes(out, r.tr_id);
    put_varint(out, r.params.size());
    for (const auto& p : r.params) {
      put_bytes(out, p.name);
      put_bytes(out, p.value);
    }
    put_varint(out, zigzag(r.http_status));
    put_bytes(out, r.tr_cont);
    put_bytes(out, r.body);
    put_bytes(out, r.error);
    put_varint(out, zigzag(r.elapsed_ns));
  }
  return out;
}

result<std::vector<record>> decode_records(std::string_view raw, std::uint32_t count) {
  std::vector<record> out;
  out.reserve(std::min<std::uint32_t>(count, 4096));
  cursor c{raw};
  for (std::uint32_t i = 0; i < count && !c.bad(); ++i) {
    record r;
    auto src = c.byte();
    if (src >= source_count)
      return make_api_error(errc::malformed, "record " + std::to_string(i) + ": unknown source " +
                                                 std::to_string(src));
    r.src = static_cast<source>(src);
    r.seq = c.varint();
    r.recv_ns = unzigzag(c.varint());
    r.session = c.varint();
    r.text = c.bytes();
    if (r.src == source::rest) {
      r.endpoint = c.bytes();
      r.tr_id = c.bytes();
      auto n = c.varint();
      for (std::uint64_t k = 0; k < n && !c.bad(); ++k) {
        auto name = c.bytes();
        r.params.push_back({std::move(name), c.bytes()});
      }
      r.http_status = static_cast<std::int32_t>(unzigzag(c.varint()));
      r.tr_cont = c.bytes();
      r.body = c.bytes();
      r.error = c.bytes();
      r.elapsed_ns = unzigzag(c.varint());
    }
    if (!c.bad())
      out.push_back(std::move(r));
  }
  if (c.bad())
    return make_api_error(errc::malformed, "records run past the end of the chunk");
  if (!c.at_end())
    return make_api_error(errc::malformed, "bytes left after the last record");
  return out;
}

std::string encode_chunk(std::span<const record> records, int zstd_level) {
  const auto raw = encode_records(records);
  std::string payload(ZSTD_compressBound(raw.size()), '\0');
  auto n = ZSTD_compress(payload.data(), payload.size(), raw.data(), raw.size(), zstd_level);
  payload.resize(ZSTD_isError(n) ? 0 : n);
  const auto* p = reinterpret_cast<const std::uint8_t*>(payload.data());
  std::string out;
  out.reserve(chunk_header_size + payload.size());
  put_u32(out, chunk_magic);
  put_u32(out, 1); // chunk format version
  put_u32(out, static_cast<std::uint32_t>(payload.size()));
  put_u32(out, static_cast<std::uint32_t>(raw.size()));
  put_u32(out, static_cast<std::uint32_t>(records.size()));
  put_u32(out, crc32({p, payload.size()}));
  put_u64(out, records.empty() ? 0 : records.front().seq);
  put_u64(out, static_cast<std::uint64_t>(records.empty() ? 0 : records.front().recv_ns));
  put_u64(out, static_cast<std::uint64_t>(records.empty() ? 0 : records.back().recv_ns));
  put_u32(out, 0); // reserved
  put_u32(out, crc32({reinterpret_cast<const std::uint8_t*>(out.data()), out.size()}));
  out += payload;
  return out;
}

result<chunk_header> parse_chunk_header(std::span<const std::uint8_t> b) {
  if (b.size() < chunk_header_size)
    return make_api_error(errc::malformed, "chunk header cut short (" + std::to_string(b.size()) +
                                               " of " + std::to_string(chunk_header_size) +
                                               " bytes)");
  if (get_u32(b.data()) != chunk_magic)
    return make_api_error(errc::malformed, "no chunk header here");
  if (get_u32(b.data() + 52) != crc32(b.first(52)))
    return make_api_error(errc::malformed, "chunk header CRC mismatch");
  if (get_u32(b.data() + 4) != 1)
    return make_api_error(errc::malformed,
                          "unknown chunk version " + std::to_string(get_u32(b.data() + 4)));
  chunk_header h;
  h.compressed_size = get_u32(b.data() + 8);
  h.raw_size = get_u32(b.data() + 12);
  h.records = get_u32(b.data() + 16);
  h.payload_crc = get_u32(b.data() + 20);
  h.first_seq = get_u64(b.data() + 24);
  h.first_ns = static_cast<std::int64_t>(get_u64(b.data() + 32));
  h.last_ns = static_cast<std::int64_t>(get_u64(b.data() + 40));
  if (h.compressed_size > max_chunk_bytes || h.raw_size > max_chunk_bytes || h.records == 0 ||
      h.records > h.raw_size)
    return make_api_error(errc::malformed, "chunk header sizes out of range");
  return h;
}

result<std::vector<record>> decode_chunk_payload(const chunk_header& h,
                                                 std::span<const std::uint8_t> payload) {
  if (payload.size() != h.compressed_size)
    return make_api_error(errc::malformed, "chunk payload cut short (" +
                                               std::to_string(payload.size()) + " of " +
                                               std::to_string(h.compressed_size) + " bytes)");
  if (crc32(payload) != h.payload_crc)
    return make_api_error(errc::malformed, "chunk payload CRC mismatch");
  std::string raw(h.raw_size, '\0');
  auto n = ZSTD_decompress(raw.data(), raw.size(), payload.data(), payload.size());
  if (ZSTD_isError(n))
    return make_api_error(errc::malformed, std::string{"zstd: "} + ZSTD_getErrorName(n));
  if (n != h.raw_size)
    return make_api_error(errc::malformed, "chunk decompressed to an unexpected size");
  auto recs = decode_records(raw, h.records);
  if (!recs)
    return recs;
  if (recs->size() != h.records)
    return make_api_error(errc::malformed, "chunk holds fewer records than its header says");
  return recs;
}

// --- writer -----------------------------------------------------------------------------------

void segment_writer::file_closer::operator()(std::FILE* f) const noexcept {
  std::fclose(f);
}

segment_writer::~segment_writer() = default;

result<segment_writer> segment_writer::create(const std::filesystem::path& path, int zstd_level) {
  // "x": fail when the file exists, so two recorders never interleave in one segment.
  std::FILE* f = std::fopen(path.c_str(), "wbx");
  if (f == nullptr)
    return make_api_error(errc::io, "recording: cannot create \"" + path.string() +
                                        "\": " + strerror_text(errno));
  segment_writer w;
  w.file_.reset(f);
  w.path_ = path;
  w.level_ = zstd_level;
  const auto head = file_header();
  if (std::fwrite(head.data(), 1, head.size(), f) != head.size() || std::fflush(f) != 0)
    return make_api_error(errc::io, "recording: cannot write \"" + path.string() +
                                        "\": " + strerror_text(errno));
  w.size_ = head.size();
  return w;
}

result<chunk_info> segment_writer::append(std::span<const record> records) {
  if (records.empty())
    return make_api_error(errc::invalid_argument, "recording: an empty chunk");
  const auto bytes = encode_chunk(records, level_);
  if (bytes.size() - chunk_header_size > max_chunk_bytes)
    return make_api_error(errc::invalid_argument, "recording: chunk over the size limit");
  chunk_info info;
  info.offset = size_;
  info.length = static_cast<std::uint32_t>(bytes.size());
  info.records = static_cast<std::uint32_t>(records.size());
  info.first_seq = records.front().seq;
  info.last_seq = records.back().seq;
  info.first_ns = records.front().recv_ns;
  info.last_ns = records.back().recv_ns;
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_.get()) != bytes.size() ||
      std::fflush(file_.get()) != 0)
    return make_api_error(errc::io, "recording: cannot write \"" + path_.string() +
                                        "\": " + strerror_text(errno));
  size_ += bytes.size();
  return info;
}

result<bool> segment_writer::sync() {
  if (std::fflush(file_.get()) != 0 || ::fsync(::fileno(file_.get())) != 0)
    return make_api_error(errc::io, "recording: cannot sync \"" + path_.string() +
                                        "\": " + strerror_text(errno));
  return true;
}

// --- reader -----------------------------------------------------------------------------------

std::string read_problem::to_string() const {
  return file + " @ " + std::to_string(offset) + ": " + what;
}

void segment_reader::file_closer::operator()(std::FILE* f) const noexcept {
  std::fclose(f);
}

segment_reader::~segment_reader() = default;

result<segment_reader> segment_reader::open(const std::filesystem::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr)
    return make_api_error(errc::io, "recording: cannot open \"" + path.string() +
                                        "\": " + strerror_text(errno));
  segment_reader r;
  r.file_.reset(f);
  r.name_ = path.filename().string();
  std::error_code ec;
  r.size_ = std::filesystem::file_size(path, ec);
  if (ec)
    return make_api_error(errc::io, "recording: cannot stat \"" + path.string() + "\"");
  std::vector<std::uint8_t> head;
  if (!r.read_bytes(0, file_header_size, head) || !is_file_header(head))
    r.problem(0, "not a recording segment header (reading chunks anyway)");
  return r;
}

bool segment_reader::read_bytes(std::uint64_t offset, std::size_t n,
                                std::vector<std::uint8_t>& out) {
  out.resize(n);
  if (offset > size_ || ::fseeko(file_.get(), static_cast<off_t>(offset), SEEK_SET) != 0)
    return false;
  auto got = std::fread(out.data(), 1, n, file_.get());
  out.resize(got);
  return got == n;
}

void segment_reader::problem(std::uint64_t offset, std::string what) {
  problems_.push_back({name_, offset, std::move(what)});
}

segment_reader::outcome segment_reader::read_chunk(std::uint64_t offset, std::vector<record>& out,
                                                   chunk_info& info) {
  if (offset >= size_)
    return outcome::end;
  if (!read_bytes(offset, chunk_header_size, buf_) && buf_.size() < chunk_header_size) {
    problem(offset, "truncated: " + std::to_string(size_ - offset) +
                        " bytes left, less than a chunk header");
    return outcome::end;
  }
  auto h = parse_chunk_header(buf_);
  if (!h) {
    problem(offset, h.error().message);
    return outcome::bad;
  }
  const auto total = chunk_header_size + std::uint64_t{h->compressed_size};
  if (offset + total > size_) {
    problem(offset, "truncated chunk: " + std::to_string(size_ - offset) + " of " +
                        std::to_string(total) + " bytes");
    return outcome::end;
  }
  read_bytes(offset + chunk_header_size, h->compressed_size, buf_);
  auto recs = decode_chunk_payload(*h, buf_);
  if (!recs) {
    problem(offset, recs.error().message);
    return outcome::bad;
  }
  out = std::move(*recs);
  info.offset = offset;
  info.length = static_cast<std::uint32_t>(total);
  info.records = h->records;
  info.first_seq = out.front().seq;
  info.last_seq = out.back().seq;
  info.first_ns = out.front().recv_ns;
  info.last_ns = out.back().recv_ns;
  return outcome::good;
}

// The next offset after `from` where a chunk header with a valid CRC starts, or the end.
std::uint64_t segment_reader::resync(std::uint64_t from) {
  constexpr std::size_t block = 64 * 1024;
  std::vector<std::uint8_t> window;
  for (auto at = from; at < size_; at += block) {
    read_bytes(at, block + chunk_header_size, window);
    for (std::size_t i = 0; i + 4 <= window.size() && i < block; ++i) {
      if (get_u32(window.data() + i) != chunk_magic)
        continue;
      if (i + chunk_header_size <= window.size() &&
          parse_chunk_header(std::span{window}.subspan(i, chunk_header_size)))
        return at + i;
      if (i + chunk_header_size > window.size()) // a header cut by the end of the file
        return at + i;
    }
  }
  return size_;
}

bool segment_reader::next(std::vector<record>& out, chunk_info& info) {
  while (pos_ < size_) {
    auto at = pos_;
    switch (read_chunk(at, out, info)) {
    case outcome::good:
      pos_ = at + info.length;
      return true;
    case outcome::end:
      pos_ = size_;
      return false;
    case outcome::bad:
      pos_ = resync(at + 1);
      if (pos_ < size_)
        problems_.back().what += "; resumed at offset " + std::to_string(pos_);
      break;
    }
  }
  return false;
}

bool segment_reader::read_at(std::uint64_t offset, std::vector<record>& out, chunk_info& info) {
  return read_chunk(offset, out, info) == outcome::good;
}

} // namespace kis::rec
