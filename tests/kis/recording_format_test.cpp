// The recording format: records survive the round trip through a segment; a damaged chunk
// (flipped bit, bad header, torn tail, garbage) is reported with its file offset and the
// chunks after it are still read.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

#include "kis/recording_format.hpp"

namespace {

using namespace kis;
using namespace kis::rec;
namespace fs = std::filesystem;

record ws_frame(std::uint64_t seq, std::string text) {
  record r;
  r.seq = seq;
  r.recv_ns = 1'700'000'000'000'000'000 + static_cast<std::int64_t>(seq) * 1000;
  r.src = source::ws_in;
  r.session = 3;
  r.text = std::move(text);
  return r;
}

record rest_call(std::uint64_t seq) {
  record r;
  r.seq = seq;
  r.recv_ns = -5; // odd values survive too (zigzag)
  r.src = source::rest;
  r.endpoint = "inquire_price";
  r.tr_id = "FHKST01010100";
  r.params = {{"FID_COND_MRKT_DIV_CODE", "J"}, {"FID_INPUT_ISCD", "005930"}};
  r.http_status = 200;
  r.tr_cont = "D";
  r.body = R"({"rt_cd":"0","output":{"stck_prpr":"70100"}})";
  r.error = "";
  r.elapsed_ns = 1'234'567;
  return r;
}

class RecordingFormat : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("kis-recfmt-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Three chunks of 10 frames each; returns their infos.
  std::vector<chunk_info> write_three(const fs::path& file) {
    auto w = segment_writer::create(file, 3);
    EXPECT_TRUE(w.ok());
    std::vector<chunk_info> out;
    std::uint64_t seq = 1;
    for (int c = 0; c < 3; ++c) {
      std::vector<record> rs;
      for (int i = 0; i < 10; ++i, ++seq)
        rs.push_back(ws_frame(seq, "0|H0STCNT0|001|005930^0900" + std::to_string(seq)));
      auto info = w->append(rs);
      EXPECT_TRUE(info.ok());
      out.push_back(*info);
    }
    return out;
  }

  static std::vector<record> read_all(const fs::path& file, std::vector<read_problem>& problems) {
    auto r = segment_reader::open(file);
    EXPECT_TRUE(r.ok());
    std::vector<record> all, chunk;
    chunk_info info;
    while (r->next(chunk, info))
      all.insert(all.end(), chunk.begin(), chunk.end());
    problems = r->problems();
    return all;
  }

  static void patch(const fs::path& file, std::uint64_t offset, char byte) {
    std::fstream f{file, std::ios::in | std::ios::out | std::ios::binary};
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(byte);
  }

  fs::path dir_;
};

TEST_F(RecordingFormat, RecordsRoundTripEveryField) {
  std::vector<record> in{ws_frame(1, "0|H0STCNT0|001|a^b"), rest_call(2), ws_frame(3, "")};
  in[2].src = source::ws_link;
  in[2].text = "down: eof";
  auto raw = encode_records(in);
  auto out = decode_records(raw, 3);
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_EQ(out->size(), 3u);
  const auto& r = (*out)[1];
  EXPECT_EQ(r.src, source::rest);
  EXPECT_EQ(r.recv_ns, -5);
  EXPECT_EQ(r.endpoint, "inquire_price");
  EXPECT_EQ(r.tr_id, "FHKST01010100");
  ASSERT_EQ(r.params.size(), 2u);
  EXPECT_EQ(r.params[1].value, "005930");
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.tr_cont, "D");
  EXPECT_EQ(r.body, in[1].body);
  EXPECT_EQ(r.elapsed_ns, 1'234'567);
  EXPECT_EQ((*out)[2].text, "down: eof");
  EXPECT_EQ((*out)[0].session, 3u);
}

TEST_F(RecordingFormat, TruncatedOrPaddedRecordsAreMalformed) {
  std::vector<record> in{rest_call(1)};
  auto raw = encode_records(in);
  for (std::size_t cut = 0; cut < raw.size(); ++cut) {
    auto out = decode_records(std::string_view{raw}.substr(0, cut), 1);
    ASSERT_FALSE(out.ok()) << "cut at " << cut;
    EXPECT_EQ(out.error().code, errc::malformed);
  }
  EXPECT_FALSE(decode_records(raw + "x", 1).ok());
  EXPECT_FALSE(decode_records(raw, 2).ok());
  std::string bad_source = raw;
  bad_source[0] = 9;
  EXPECT_FALSE(decode_records(bad_source, 1).ok());
}

TEST_F(RecordingFormat, SegmentRoundTripAndChunkOffsets) {
  auto file = dir_ / "a.krec";
  auto infos = write_three(file);
  EXPECT_EQ(infos[0].offset, file_header_size);
  EXPECT_EQ(infos[1].offset, infos[0].offset + infos[0].length);
  EXPECT_EQ(infos[2].first_seq, 21u);
  std::vector<read_problem> problems;
  auto all = read_all(file, problems);
  EXPECT_TRUE(problems.empty());
  ASSERT_EQ(all.size(), 30u);
  for (std::size_t i = 0; i < all.size(); ++i)
    EXPECT_EQ(all[i].seq, i + 1);
  // The index path: a chunk read at its offset.
  auto r = segment_reader::open(file);
  std::vector<record> chunk;
  chunk_info info;
  ASSERT_TRUE(r->read_at(infos[1].offset, chunk, info));
  EXPECT_EQ(chunk.front().seq, 11u);
  EXPECT_EQ(info.last_seq, 20u);
}

TEST_F(RecordingFormat, FlippedPayloadByteLosesOneChunkAndNamesItsOffset) {
  auto file = dir_ / "b.krec";
  auto infos = write_three(file);
  patch(file, infos[1].offset + chunk_header_size + 3, '\x5a');
  std::vector<read_problem> problems;
  auto all = read_all(file, problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].offset, infos[1].offset);
  EXPECT_NE(problems[0].what.find("CRC"), std::string::npos) << problems[0].what;
  EXPECT_NE(problems[0].to_string().find("b.krec @ " + std::to_string(infos[1].offset)),
            std::string::npos);
  ASSERT_EQ(all.size(), 20u); // chunks one and three
  EXPECT_EQ(all[10].seq, 21u);
}

TEST_F(RecordingFormat, DamagedHeaderIsSkippedByResync) {
  auto file = dir_ / "c.krec";
  auto infos = write_three(file);
  patch(file, infos[0].offset + 9, '\x7f'); // inside compressed_size: header CRC breaks
  std::vector<read_problem> problems;
  auto all = read_all(file, problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].offset, infos[0].offset);
  EXPECT_NE(problems[0].what.find("resumed at offset " + std::to_string(infos[1].offset)),
            std::string::npos)
      << problems[0].what;
  ASSERT_EQ(all.size(), 20u);
  EXPECT_EQ(all.front().seq, 11u);
}

TEST_F(RecordingFormat, TornTailIsReportedAndEarlierChunksRead) {
  auto file = dir_ / "d.krec";
  auto infos = write_three(file);
  fs::resize_file(file, infos[2].offset + infos[2].length - 7);
  std::vector<read_problem> problems;
  auto all = read_all(file, problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].offset, infos[2].offset);
  EXPECT_NE(problems[0].what.find("truncated chunk"), std::string::npos) << problems[0].what;
  EXPECT_EQ(all.size(), 20u);
  // Cut inside the header too.
  fs::resize_file(file, infos[2].offset + 10);
  all = read_all(file, problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].offset, infos[2].offset);
  EXPECT_EQ(all.size(), 20u);
}

TEST_F(RecordingFormat, GarbageBetweenChunksAndABadFileHeader) {
  auto file = dir_ / "e.krec";
  auto infos = write_three(file);
  std::string bytes;
  {
    std::ifstream in{file, std::ios::binary};
    bytes.assign(std::istreambuf_iterator<char>{in}, {});
  }
  // Junk instead of the file header, and 100 random bytes between chunk one and two.
  std::mt19937 gen{7};
  std::string junk(100, '\0');
  for (auto& c : junk)
    c = static_cast<char>(gen() % 200);
  bytes.insert(infos[1].offset, junk);
  bytes[0] = 'X';
  {
    std::ofstream out{file, std::ios::binary | std::ios::trunc};
    out << bytes;
  }
  std::vector<read_problem> problems;
  auto all = read_all(file, problems);
  ASSERT_GE(problems.size(), 2u);
  EXPECT_EQ(problems[0].offset, 0u);
  EXPECT_EQ(problems[1].offset, infos[1].offset);
  EXPECT_EQ(all.size(), 30u);
}

TEST_F(RecordingFormat, WriterRefusesAnExistingFile) {
  auto file = dir_ / "f.krec";
  ASSERT_TRUE(segment_writer::create(file, 1).ok());
  auto again = segment_writer::create(file, 1);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, errc::io);
  auto missing = segment_reader::open(dir_ / "nope.krec");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, errc::io);
}

TEST_F(RecordingFormat, Crc32MatchesTheStandardCheckValue) {
  const std::string nine = "123456789";
  EXPECT_EQ(crc32({reinterpret_cast<const std::uint8_t*>(nine.data()), nine.size()}), 0xcbf43926u);
}

} // namespace
