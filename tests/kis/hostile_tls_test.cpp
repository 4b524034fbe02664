// A REST server over https whose certificate names another host: the transport refuses it
// before any byte of the request leaves (a typed transport error), while the same server with
// a certificate for the name we dialled answers. Both certificates come from one test CA that
// the transport trusts, so only the name differs.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "kis/http_transport.hpp"
#include "kis/rest_codec.hpp"
#include "runtime/certificates.hpp"

namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace fs = std::filesystem;
using asio::ip::tcp;
using namespace kis::api;

// Answers {"rt_cd":"0"} to every request that completes a handshake; one connection at a time.
class https_server {
public:
  explicit https_server(const kis::runtime::certificate_files& cert)
      : ctx_(ssl::context::tls_server)
      , acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    ctx_.use_certificate_chain_file(cert.cert.string());
    ctx_.use_private_key_file(cert.key.string(), ssl::context::pem);
    thread_ = std::thread([this] { serve(); });
  }
  ~https_server() {
    stop_ = true;
    boost::system::error_code ignored;
    // Wake the blocking accept with a connection of our own.
    tcp::socket poke(io_);
    poke.connect(acceptor_.local_endpoint(), ignored);
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

private:
  void serve() {
    while (!stop_) {
      ssl::stream<tcp::socket> stream(io_, ctx_);
      boost::system::error_code ec;
      acceptor_.accept(stream.lowest_layer(), ec);
      if (ec || stop_)
        continue;
      stream.handshake(ssl::stream_base::server, ec);
      if (ec)
        continue; // the client refused us: exactly what the mismatch test wants
      asio::streambuf request;
      asio::read_until(stream, request, "\r\n\r\n", ec);
      const std::string body = R"({"rt_cd":"0","msg_cd":"MCA00000","msg1":"ok"})";
      asio::write(stream,
                  asio::buffer("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                               "Connection: close\r\nContent-Length: " +
                               std::to_string(body.size()) + "\r\n\r\n" + body),
                  ec);
      stream.shutdown(ec);
    }
  }

  asio::io_context io_;
  ssl::context ctx_;
  tcp::acceptor acceptor_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class HostileTls : public ::testing::Test {
protected:
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("kis-hostile-tls-" +
           std::string{::testing::UnitTest::GetInstance()->current_test_info()->name()});
    fs::remove_all(dir);
    ASSERT_FALSE(kis::runtime::make_cluster_ca(dir, 2));
    ASSERT_FALSE(kis::runtime::make_node_certificate(dir, "other.example", 2));
    ASSERT_FALSE(kis::runtime::make_node_certificate(dir, "localhost", 2));
  }
  void TearDown() override { fs::remove_all(dir); }

  kis::http_exchange call(const std::string& url) const {
    transport_options opts;
    opts.ca_file = kis::runtime::ca_files(dir).cert.string(); // trust the test CA only
    http_transport t{opts};
    http_request r;
    r.url = url;
    return t.perform(r);
  }

  fs::path dir;
};

TEST_F(HostileTls, CertificateForAnotherNameIsRefused) {
  https_server srv{kis::runtime::node_files(dir, "other.example")};
  auto ex = call("https://127.0.0.1:" + std::to_string(srv.port()) + "/uapi/x");
  EXPECT_EQ(ex.http_status, 0);
  EXPECT_FALSE(ex.sent);
  EXPECT_NE(ex.transport_error.find("127.0.0.1"), std::string::npos) << ex.transport_error;
  auto parsed = parse_reply(ex);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, kis::errc::transport);
}

TEST_F(HostileTls, CertificateForTheDialledNameIsAccepted) {
  https_server srv{kis::runtime::node_files(dir, "localhost")};
  auto ex = call("https://localhost:" + std::to_string(srv.port()) + "/uapi/x");
  ASSERT_EQ(ex.http_status, 200) << ex.transport_error;
  EXPECT_TRUE(parse_reply(ex));
}

} // namespace
