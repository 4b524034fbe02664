// libFuzzer target: the recorder's segment reader (kis/recording_format). 'r' + count + bytes:
// a chunk's raw payload through decode_records. 's' + bytes: a segment file (its header, then
// the bytes) read to the end by segment_reader, which must report damage and resynchronise,
// never read past what is there. 'e' + bytes: when they decode as records, those records
// written as a real chunk must read back whole (the CRCs and zstd frame are then valid, so the
// fuzzer reaches the decompression path too). Seeds: run with KIS_FUZZ_WRITE_SEEDS=DIR once.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "kis/recording_format.hpp"

namespace {

namespace fs = std::filesystem;
using namespace kis::rec;

// Every input is a file write and read: on tmpfs the target runs about three times as many inputs a
// second as on the disk behind /tmp.
const fs::path& scratch() {
  static const fs::path p = [] {
    std::error_code ec;
    const fs::path dir =
        fs::is_directory("/dev/shm", ec) ? fs::path{"/dev/shm"} : fs::temp_directory_path();
    return dir / ("kis-recording-fuzz-" + std::to_string(::getpid()) + ".seg");
  }();
  return p;
}

void write_file(const fs::path& p, std::string_view bytes) {
  std::ofstream out{p, std::ios::binary | std::ios::trunc};
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::size_t read_all(const fs::path& p) {
  auto reader = segment_reader::open(p);
  if (!reader)
    return 0;
  std::size_t records = 0;
  std::vector<record> out;
  chunk_info info;
  for (int chunks = 0; chunks < 10'000 && reader->next(out, info); ++chunks)
    records += out.size();
  (void)reader->read_at(file_header_size, out, info);
  return records;
}

std::vector<record> sample_records() {
  std::vector<record> rs(3);
  rs[0].seq = 1;
  rs[0].src = source::ws_in;
  rs[0].session = 1;
  rs[0].text = "0|H0STCNT0|001|005930^115214^250500";
  rs[1].seq = 2;
  rs[1].src = source::rest;
  rs[1].endpoint = "inquire_price";
  rs[1].tr_id = "FHKST01010100";
  rs[1].params = {{"FID_INPUT_ISCD", "005930"}};
  rs[1].http_status = 200;
  rs[1].body = R"({"rt_cd":"0","output":{"stck_prpr":"70100"}})";
  rs[2].seq = 3;
  rs[2].src = source::ws_link;
  rs[2].text = "down: read: closed by server";
  return rs;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("KIS_FUZZ_WRITE_SEEDS")) {
    auto rs = sample_records();
    auto raw = encode_records(rs);
    write_file(fs::path{dir} / "records", "r\x03" + raw);
    write_file(fs::path{dir} / "encode", "e\x03" + raw);
    write_file(fs::path{dir} / "segment",
               "s" + encode_chunk(rs, 3) + encode_chunk({rs.data(), 1}, 3));
    std::exit(0);
  }
  std::atexit([] {
    std::error_code ec;
    fs::remove(scratch(), ec);
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2)
    return 0;
  std::string_view rest{reinterpret_cast<const char*>(data) + 1, size - 1};
  switch (data[0]) {
  case 'r':
    (void)decode_records(rest.substr(1), static_cast<std::uint8_t>(rest[0]));
    break;
  case 's':
    write_file(scratch(), file_header() + std::string{rest});
    (void)read_all(scratch());
    break;
  case 'e': {
    auto count = static_cast<std::uint8_t>(rest[0]);
    auto records = decode_records(rest.substr(1), count);
    if (!records || records->empty())
      break;
    write_file(scratch(), file_header() + encode_chunk(*records, 1));
    if (read_all(scratch()) != records->size())
      __builtin_trap(); // a chunk we wrote must read back whole
    break;
  }
  default:
    break;
  }
  return 0;
}
