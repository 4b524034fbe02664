// kis-sim: run the KIS-compatible exchange on loopback until SIGINT/SIGTERM. Prints one JSON
// line once it listens, so a script or test can read the ports:
//   {"rest_url": "http://127.0.0.1:PORT", "ws_url": "ws://127.0.0.1:PORT"}
#include <csignal>
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "sim/server.hpp"

int main(int argc, char** argv) {
  kis::sim::options opts;
  CLI::App app{"kis-sim: a KIS-compatible exchange on 127.0.0.1 (REST + WebSocket)"};
  std::string env = "real", account;
  app.add_option("--env", env, "real or paper")->check(CLI::IsMember({"real", "paper"}));
  app.add_option("--rest-port", opts.rest_port, "REST port (0 = ephemeral)");
  app.add_option("--ws-port", opts.ws_port, "WebSocket port (0 = ephemeral)");
  app.add_option("--rate", opts.rate_limit, "REST calls per sliding second (0 = KIS: 18/1)");
  app.add_option("--seed", opts.seed, "market seed");
  app.add_option("--app-key", opts.cred.app_key, "app key to accept");
  app.add_option("--app-secret", opts.cred.app_secret, "app secret to accept");
  app.add_option("--account", account, "account as CANO-PRDT, e.g. 50000000-01");
  app.add_option("--hts-id", opts.cred.hts_id, "HTS id for execution notices");
  CLI11_PARSE(app, argc, argv);

  opts.env = *kis::api::parse_environment(env);
  if (!account.empty()) {
    auto dash = account.find('-');
    if (dash != 8 || account.size() != 11) {
      std::cerr << "kis-sim: --account must look like 50000000-01\n";
      return 2;
    }
    opts.cred.account_no = account.substr(0, dash);
    opts.cred.account_product = account.substr(dash + 1);
  }

  // Block the stop signals before any thread starts, then wait for one on this thread.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  kis::sim::server sim{opts};
  try {
    sim.start();
  } catch (const std::exception& e) {
    std::cerr << "kis-sim: cannot listen: " << e.what() << '\n';
    return 1;
  }
  std::cout << R"({"rest_url": ")" << sim.rest_url() << R"(", "ws_url": ")" << sim.ws_url() << "\"}"
            << std::endl;

  int sig = 0;
  sigwait(&stop_signals, &sig);
  sim.stop();
  return 0;
}
