// Secrets never reach a log line, whoever logs them and however they are embedded.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "runtime/logging.hpp"
#include "support/temp_path.hpp"

TEST(Redaction, RegisteredSecretsAreReplacedEverywhere) {
  kis::log::add_secret("PSkey1234567890");
  kis::log::add_secret("abc"); // too short to be a secret: would redact ordinary words
  EXPECT_EQ(kis::log::redact("appkey=PSkey1234567890&x=PSkey1234567890"), "appkey=***&x=***");
  EXPECT_EQ(kis::log::redact("abc"), "abc");
}

TEST(Redaction, LogFileNeverHoldsTheSecret) {
  auto path = kis::test::unique_temp_path("kis-redaction-test", ".log");
  std::filesystem::remove(path);
  kis::log::init("debug", path.string());
  const std::string secret = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzUxMiJ9.secret-token";
  kis::log::add_secret(secret);
  kis::log::info("issued token {} for {}", secret, "005930");
  spdlog::warn("direct spdlog call with Bearer {}", secret); // not through kis::log
  spdlog::default_logger()->flush();
  std::ifstream in{path};
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str().find(secret), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("issued token *** for 005930"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("Bearer ***"), std::string::npos);
  spdlog::drop_all();
  std::filesystem::remove(path);
}
