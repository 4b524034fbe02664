// Secrets at trace level, end to end: kis-engine runs in paper mode against a kis-sim in this
// process (so the test can ask the simulator which token and approval key it issued), with
// log_level = "trace", a log file, metrics on and a trading strategy, and not one of the app
// key, the app secret, a token or an approval key appears in its stdout, stderr, log file,
// /metrics or /metrics.json, or in any file it wrote under its data_dir but the token cache
// (which holds the token by design, mode 0600). Recordings land under data_dir, so the scan
// covers them as soon as the recorder writes any.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "kis/http_transport.hpp"
#include "sim/server.hpp"
#include "support/engine_process.hpp"
#include "support/sim_engine_env.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string read_file(const fs::path& p) {
  return kis::test::read_text(p);
}

pid_t spawn_engine(const std::vector<std::string>& args, const std::vector<std::string>& env,
                   const fs::path& out, const fs::path& err) {
  return kis::test::spawn_process(KIS_ENGINE_BIN, args, env, out, err);
}

std::string metrics_url(const fs::path& log) {
  auto text = read_file(log);
  auto at = text.find("metrics on http://127.0.0.1:");
  if (at == std::string::npos)
    return {};
  at += std::string_view{"metrics on "}.size();
  return text.substr(at, text.find('/', at + 8) - at);
}

TEST(SecretsAtTraceLevel, NoSecretReachesAnyOutput) {
  kis::sim::options so;
  so.env = kis::api::environment::paper;
  so.rate_limit = 18; // paper's 1/s would leave little to log in a short run
  kis::sim::server sim{so};
  sim.start();
  const auto cred = kis::sim::default_credentials();

  const fs::path dir = fs::temp_directory_path() / ("kis-secrets-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto list = kis::test::toml_symbols(sim, 6);
  std::ofstream{dir / "engine.toml"} << "mode = \"paper\"\nlog_level = \"trace\"\nlog_file = \""
                                     << (dir / "engine.log").string() << "\"\ndata_dir = \""
                                     << (dir / "data").string() << "\"\n"
                                     << "[budget]\nrate_limit = 18\n"
                                     << "[sessions]\nenforce = false\n" // kis-sim never closes
                                     << "[analyzers]\ncount = 2\nsymbols = [" << list
                                     << "]\npoll_interval = \"1s\"\nhistory_days = 5\n"
                                     << "[metrics]\nport = 0\ninterval = \"500ms\"\n"
                                     << "[[strategy]]\nname = \"ma_cross\"\nid = \"secrets\"\n"
                                     << "symbols = [" << list << "]\n"
                                     << "params = { fast = 1, slow = 2, qty = 1 }\ntrade = true\n";
  auto pid = spawn_engine({"run", "-c", (dir / "engine.toml").string(), "--duration", "12s"},
                          kis::test::sim_engine_env(sim), dir / "stdout.txt", dir / "stderr.txt");
  ASSERT_GT(pid, 0);

  // While it runs, read both metrics views now and then (sampling, not timing).
  std::vector<std::string> scraped;
  kis::api::http_transport http;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    std::this_thread::sleep_for(500ms);
    auto url = metrics_url(dir / "engine.log");
    if (url.empty())
      continue;
    for (const char* path : {"/metrics", "/metrics.json"}) {
      kis::api::http_request r;
      r.url = url + path;
      auto ex = http.perform(r);
      if (ex.http_status == 200)
        scraped.push_back(std::move(ex.body));
    }
  }
  ASSERT_TRUE(WIFEXITED(status)) << read_file(dir / "stderr.txt");
  ASSERT_EQ(WEXITSTATUS(status), 0) << read_file(dir / "stderr.txt");
  ASSERT_FALSE(scraped.empty()) << "never read the metrics:\n" << read_file(dir / "engine.log");

  // The secrets: the app key and secret, and everything the simulator issued.
  std::vector<std::string> secrets{cred.app_key, cred.app_secret};
  auto issued = sim.issued_secrets();
  ASSERT_GE(issued.size(), 2u) << "the engine took no token or no approval key";
  secrets.insert(secrets.end(), issued.begin(), issued.end());

  std::vector<std::pair<std::string, std::string>> outputs;
  for (const char* f : {"stdout.txt", "stderr.txt", "engine.log"})
    outputs.emplace_back(f, read_file(dir / f));
  for (std::size_t i = 0; i < scraped.size(); ++i)
    outputs.emplace_back("metrics scrape " + std::to_string(i), scraped[i]);
  std::size_t data_files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir / "data")) {
    if (!e.is_regular_file() || e.path().filename().string().starts_with("kis-token-"))
      continue;
    outputs.emplace_back(e.path().string(), read_file(e.path()));
    ++data_files;
  }
  EXPECT_GT(data_files, 0u); // the order journal at least
  // Trace level was on: the transport logged its exchanges.
  const auto& log = outputs[2].second;
  const auto exchange = log.find("http GET /uapi/");
  ASSERT_NE(exchange, std::string::npos) << "the transport logged no exchange";
  auto line_at = log.rfind('\n', exchange);
  auto line = log.substr(line_at == std::string::npos ? 0 : line_at + 1, 80);
  EXPECT_NE(line.find("trace"), std::string::npos) << "no trace line of an exchange in the log";
  for (const auto& [name, text] : outputs)
    for (const auto& s : secrets) {
      // Whole, and the first 16 characters (a truncated secret is still a leak).
      EXPECT_EQ(text.find(s), std::string::npos) << name << " shows a secret";
      EXPECT_EQ(text.find(s.substr(0, 16)), std::string::npos) << name << " shows part of one";
    }
  fs::remove_all(dir);
}

} // namespace
