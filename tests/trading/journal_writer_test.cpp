// The journal writer under the test coordinator: an intent commits at once and answers after
// its commit; an order's later state lingers to ride with the next intent's commit, is
// committed alone once the linger is over (its own linger, not that of writes an earlier intent
// took along), and still lands when the actor goes without a drain.
#include "support/caf_gtest.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "actors/trading/journal_writer.hpp"
#include "support/temp_path.hpp"
#include "tests/trading/executor_fixture.hpp"

using namespace std::chrono_literals;
using executor_testing::journal_row;

namespace {

struct JournalWriterTest : ::testing::Test, test_coordinator_fixture<> {
  std::string path = kis::test::unique_temp_path("kis-writer-test", ".sqlite").string();
  std::shared_ptr<kis::order_journal> journal = std::make_shared<kis::order_journal>();
  kis::journal_actor writer;

  void SetUp() override {
    ASSERT_FALSE(journal->open(path));
    writer = kis::spawn_journal_writer(sys, journal, false, 50ms);
  }
  void TearDown() override {
    if (writer)
      caf::anon_send_exit(writer, caf::exit_reason::user_shutdown);
    sched.run();
    journal.reset();
    for (auto ext : {"", "-wal", "-shm"})
      std::filesystem::remove(path + ext);
  }

  // Journals an intent and returns it as the writer numbered it (its answer came).
  kis::journal_entry intent(std::string symbol) {
    auto e = executor_testing::intent_of(std::move(symbol));
    auto h = self->request(writer, caf::infinite, kis::intent_atom_v, e);
    sched.run();
    h.receive([&](std::int64_t seq) { e.seq = seq; }, [](caf::error&) { ADD_FAILURE(); });
    e.client_id = kis::client_id_of(e.trading_day, e.seq);
    return e;
  }

  static kis::journal_entry sent(kis::journal_entry e, std::string order_no) {
    e.status = kis::order_status::sent;
    e.order_no = std::move(order_no);
    return e;
  }
};

TEST_F(JournalWriterTest, AnIntentIsCommittedBeforeItsAnswer) {
  auto a = intent("A");
  EXPECT_EQ(journal_row(path, a.client_id).first, static_cast<int>(kis::order_status::journaled));
}

TEST_F(JournalWriterTest, AnAnswerLingersThenCommitsAlone) {
  auto a = intent("A");
  self->send(writer, sent(a, "0000000001"));
  sched.run();
  EXPECT_EQ(journal_row(path, a.client_id).second, "") << "still lingering";
  sched.advance_time(50ms);
  sched.run();
  EXPECT_EQ(journal_row(path, a.client_id).second, "0000000001");
}

TEST_F(JournalWriterTest, AnAnswerRidesWithTheNextIntentsCommit) {
  auto a = intent("A");
  self->send(writer, sent(a, "0000000001"));
  auto b = intent("B"); // no time passed: one commit holds both
  EXPECT_EQ(journal_row(path, a.client_id).second, "0000000001");
  EXPECT_EQ(journal_row(path, b.client_id).first, static_cast<int>(kis::order_status::journaled));
}

// A steady flow: each answer rides with the next intent, and the timer set for an answer that
// an intent took along does not commit the newer one early (that commit would be an fsync that
// the next intent could have to wait behind).
TEST_F(JournalWriterTest, ALingerIsCountedFromTheOldestWriteStillWaiting) {
  auto a = intent("A");
  self->send(writer, sent(a, "0000000001")); // the timer: due at 50 ms
  sched.run();
  sched.advance_time(30ms);
  auto b = intent("B"); // takes A's answer along
  EXPECT_EQ(journal_row(path, a.client_id).second, "0000000001");
  self->send(writer, sent(b, "0000000002")); // lingers until 30 + 50 = 80 ms
  sched.run();
  sched.advance_time(20ms); // 50 ms: the first timer fires, B's answer is only 20 ms old
  sched.run();
  EXPECT_EQ(journal_row(path, b.client_id).second, "") << "committed before its linger was over";
  sched.advance_time(30ms); // 80 ms
  sched.run();
  EXPECT_EQ(journal_row(path, b.client_id).second, "0000000002");
}

TEST_F(JournalWriterTest, ALingeringAnswerLandsWhenTheWriterGoesWithoutADrain) {
  auto a = intent("A");
  self->send(writer, sent(a, "0000000002"));
  caf::anon_send_exit(writer, caf::exit_reason::user_shutdown);
  writer = nullptr;
  sched.run();
  EXPECT_EQ(journal_row(path, a.client_id).second, "0000000002");
}

// The journal keeps its statements prepared: a write that fails (here a second intent with the
// same seq) leaves them ready for the next transaction, with nothing of its values left over.
TEST(OrderJournal, AFailedWriteLeavesItsStatementReadyForTheNext) {
  auto path = kis::test::unique_temp_path("kis-journal-reuse", ".sqlite").string();
  {
    kis::order_journal j;
    ASSERT_FALSE(j.open(path));
    auto a = executor_testing::intent_of("A");
    ASSERT_FALSE(j.begin());
    ASSERT_FALSE(j.record_intent(a));
    ASSERT_FALSE(j.commit());
    auto twice = a; // the same seq and client id
    ASSERT_FALSE(j.begin());
    EXPECT_TRUE(j.record_intent(twice));
    j.rollback();
    auto b = executor_testing::intent_of("B");
    ASSERT_FALSE(j.begin());
    EXPECT_FALSE(j.record_intent(b));
    EXPECT_FALSE(j.commit());
    auto rows = j.all_entries();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].symbol, "A");
    EXPECT_EQ(rows[1].symbol, "B");
    EXPECT_EQ(rows[1].seq, a.seq + 1);
  }
  for (auto ext : {"", "-wal", "-shm"})
    std::filesystem::remove(path + ext);
}

} // namespace
