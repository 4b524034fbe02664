// A hostile real-time server against the WebSocket client: a frame with a wrong record count
// arrives as text and the parser refuses it with a typed error; a 16 MB frame ends the session
// with a clear reason before its payload is buffered, instead of growing the client's memory.
#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>

#include "kis/realtime_frames.hpp"
#include "kis/ws_client.hpp"

namespace {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;
using asio::ip::tcp;

// Accepts one WebSocket client and sends it the given text frames, in order.
class hostile_ws_server {
public:
  explicit hostile_ws_server(std::vector<std::string> frames)
      : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this, frames = std::move(frames)] {
      boost::system::error_code ec;
      tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      if (ec)
        return;
      websocket::stream<tcp::socket> ws(std::move(socket));
      ws.accept(ec);
      ws.text(true);
      for (const auto& f : frames)
        if (!ec)
          ws.write(asio::buffer(f), ec); // fails once the client has hung up
    });
  }
  ~hostile_ws_server() { thread_.join(); }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

private:
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

TEST(HostileRealtimeServer, WrongRecordCountIsMalformedAndHugeFrameEndsTheSession) {
  const std::string record = "005930^115214^250500^5^-19500^-7.22^257548.62^266000^266500^"
                             "248500^250500^250000^2^11701513^3013709268750^113664^103131^"
                             "-10533^60.51^7129195^4313943^1^0.37^73.08^090025^5^-15500^090025^"
                             "5^-16000^114825^2^2000^20260724^20^N^8930^67892^101158^466092^"
                             "0.20^8331745^140.44^0^^266000";
  hostile_ws_server srv{{"0|H0STCNT0|003|" + record, // says three records, holds one
                         std::string(16u << 20, 'x')}};
  std::mutex mu;
  std::vector<std::string> texts;
  std::promise<std::string> closed;
  kis::api::ws_client_options opts;
  opts.target = {"127.0.0.1", srv.port(), "/tryitout"};
  kis::api::ws_client_callbacks cbs;
  cbs.on_text = [&](std::uint64_t, std::string t) {
    std::lock_guard guard{mu};
    texts.push_back(std::move(t));
  };
  cbs.on_close = [&](std::uint64_t, std::string why) { closed.set_value(std::move(why)); };
  kis::api::ws_client client{opts, cbs, 1};

  auto why = closed.get_future().get();
  EXPECT_NE(why.find("larger than 1 MiB"), std::string::npos) << why;
  std::lock_guard guard{mu};
  ASSERT_EQ(texts.size(), 1u); // the 16 MB frame never reached the caller
  auto frame = kis::api::split_frame(texts[0]);
  ASSERT_TRUE(frame) << frame.error().message;
  EXPECT_EQ(frame->count, 3u);
  std::vector<kis::trade_tick> ticks;
  auto parsed = kis::api::parse_trades(frame->payload, frame->count, 0, ticks);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, kis::errc::malformed);
  EXPECT_TRUE(ticks.empty()); // whole frame or nothing
}

} // namespace
