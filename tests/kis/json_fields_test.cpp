#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "kis/json_fields.hpp"

namespace {

using namespace kis::api;
namespace bj = boost::json;

TEST(JsonFields, IntegersAreStrict) {
  EXPECT_EQ(json::to_int("70100"), 70100);
  EXPECT_EQ(json::to_int("-19500"), -19500);
  EXPECT_EQ(json::to_int("+5"), 5);
  EXPECT_EQ(json::to_int("0000006555"), 6555);
  EXPECT_EQ(json::to_int("9223372036854775807"), INT64_MAX);
  for (auto bad : {"", "-", "+", "+-5", "1.0", "12a", " 1", "1 ", "9223372036854775808",
                   "99999999999999999999999", "0x10"})
    EXPECT_FALSE(json::to_int(bad)) << bad;
}

TEST(JsonFields, DecimalsAreStrict) {
  EXPECT_DOUBLE_EQ(*json::to_decimal("-0.57"), -0.57);
  EXPECT_DOUBLE_EQ(*json::to_decimal("70123.5000"), 70123.5);
  EXPECT_DOUBLE_EQ(*json::to_decimal("12"), 12.0);
  for (auto bad : {"", ".", "-", "1.2.3", "inf", "nan", "1e5", "1,000", "--1"})
    EXPECT_FALSE(json::to_decimal(bad)) << bad;
}

TEST(JsonFields, RequiredAndOptionalFields) {
  auto o = bj::parse(R"({"a":"12","b":"","c":"x1","d":7,"e":[1],"f":"1.5"})").as_object();
  EXPECT_EQ(*json::get_int(o, "a"), 12);
  EXPECT_EQ(*json::get_int(o, "d"), 7); // a JSON integer is tolerated
  EXPECT_EQ(*json::opt_int(o, "b", 3), 3);
  EXPECT_EQ(*json::opt_int(o, "missing", 4), 4);
  EXPECT_EQ(*json::get_rounded(o, "f"), 2);

  auto missing = json::get_int(o, "missing");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, kis::errc::malformed);
  EXPECT_NE(missing.error().message.find("missing"), std::string::npos);

  auto bad = json::opt_int(o, "c");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("'c'"), std::string::npos);
  EXPECT_EQ(bad.error().message.find("x1"), std::string::npos) << "values are never echoed";

  EXPECT_FALSE(json::get_int(o, "b")); // required and empty
  EXPECT_FALSE(json::get_string(o, "e"));
  EXPECT_FALSE(json::get_int(o, "e"));
}

TEST(JsonFields, ReaderKeepsTheFirstError) {
  auto o = bj::parse(R"({"a":"1","b":"oops","c":"also bad"})").as_object();
  json::reader r{o};
  EXPECT_EQ(r.integer("a"), 1);
  EXPECT_EQ(r.integer("b"), 0);
  EXPECT_EQ(r.integer("c"), 0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.take_error().message.find("'b'"), std::string::npos);
}

TEST(JsonFields, RowsAcceptArraysAndLoneObjects) {
  auto o = bj::parse(R"({"x":[{"a":"1"},{"a":"2"}],"y":{"a":"3"},"z":[1,2],"w":[]})").as_object();
  EXPECT_EQ(json::get_rows(o, "x")->size(), 2u);
  EXPECT_EQ(json::get_rows(o, "y")->size(), 1u);
  EXPECT_EQ(json::get_rows(o, "w")->size(), 0u);
  EXPECT_FALSE(json::get_rows(o, "z"));
  EXPECT_FALSE(json::get_rows(o, "nope"));
  EXPECT_TRUE(json::get_object(o, "y"));
  EXPECT_FALSE(json::get_object(o, "x")); // two rows are not one object
}

TEST(JsonFields, CappedTextNeverSplitsACharacter) {
  std::string korean = "초당 거래건수를 초과하였습니다."; // 3-byte characters
  auto cut = json::capped(korean, 4);
  EXPECT_EQ(cut, "초...");
  EXPECT_EQ(json::capped("short", 10), "short");
}

} // namespace
