// The backtest report as a browser shows it: headless Chromium takes a screenshot of
// report.html (no network, no script), and the picture must hold the equity curve's blue and
// the drawdown area's red. The same page without its SVG elements holds neither, so the test
// sees what the charts draw, not what the file says. Skipped when Chromium is not installed.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include <png.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "runtime/backtest.hpp"
#include "runtime/backtest_report.hpp"

namespace {

using namespace kis;
using namespace kis::runtime;
namespace fs = std::filesystem;

std::string chromium() {
  if (const char* env = std::getenv("KIS_CHROMIUM"); env != nullptr && *env != '\0')
    return env;
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (fs::exists(p))
      return p;
  return {};
}

struct rgba_image {
  std::uint32_t width = 0, height = 0;
  std::vector<std::uint8_t> pixels; // RGBA
};

bool read_png(const fs::path& file, rgba_image& out) {
  png_image img{};
  img.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_file(&img, file.c_str()) == 0)
    return false;
  img.format = PNG_FORMAT_RGBA;
  out.width = img.width;
  out.height = img.height;
  out.pixels.resize(PNG_IMAGE_SIZE(img));
  return png_image_finish_read(&img, nullptr, out.pixels.data(), 0, nullptr) != 0;
}

// Pixels within `tol` of a colour on every channel.
std::size_t count_near(const rgba_image& img, int r, int g, int b, int tol = 28) {
  std::size_t n = 0;
  for (std::size_t i = 0; i + 3 < img.pixels.size(); i += 4)
    if (std::abs(img.pixels[i] - r) <= tol && std::abs(img.pixels[i + 1] - g) <= tol &&
        std::abs(img.pixels[i + 2] - b) <= tol)
      ++n;
  return n;
}

backtest_report sample_report() {
  constexpr std::int64_t t0 = 1'767'225'600'000'000'000;
  constexpr std::int64_t min = 60'000'000'000;
  std::vector<journal_fill> fills{
      {"a", "005930", side::buy, 100, 70'000, t0 + min, "notice"},
      {"b", "005930", side::sell, 100, 70'900, t0 + 90 * min, "notice"}};
  std::vector<mark_sample> marks;
  for (int i = 2; i < 90; ++i)
    marks.push_back({t0 + i * min, {{"005930", 70'000 + ((i * 37) % 23 - 11) * 100}}});
  return account(fills, marks, {0.0140527, 0.20, 0, 10'000'000});
}

class ReportRender : public ::testing::Test {
protected:
  void SetUp() override {
    browser_ = chromium();
    if (browser_.empty())
      GTEST_SKIP() << "Chromium not installed (apt-get install chromium, or set KIS_CHROMIUM)";
    dir_ = fs::temp_directory_path() / ("kis-render-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty())
      fs::remove_all(dir_);
  }

  // Screenshot of a page; false when Chromium did not produce one.
  bool shoot(const fs::path& html, const fs::path& png) {
    auto profile = dir_ / ("profile-" + png.stem().string());
    std::string cmd = "timeout 120 '" + browser_ +
                      "' --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                      "--disable-background-networking --disable-component-update --disable-sync "
                      "--hide-scrollbars --window-size=1100,1500 --user-data-dir='" +
                      profile.string() + "' --screenshot='" + png.string() + "' 'file://" +
                      html.string() + "' > '" + (dir_ / "chromium.log").string() + "' 2>&1";
    return std::system(cmd.c_str()) == 0 && fs::exists(png);
  }

  std::string browser_;
  fs::path dir_;
};

TEST_F(ReportRender, TheBrowserDrawsTheEquityCurveAndTheDrawdown) {
  auto report = sample_report();
  const backtest_costs costs{0.0140527, 0.20, 0, 10'000'000};
  ASSERT_TRUE(write_backtest_outputs(dir_, report, costs, {"render test", "synthetic", "-"}));
  ASSERT_TRUE(shoot(dir_ / "report.html", dir_ / "page.png"))
      << "chromium failed; see " << (dir_ / "chromium.log");
  rgba_image img;
  ASSERT_TRUE(read_png(dir_ / "page.png", img));
  EXPECT_EQ(img.width, 1100u);
  const auto blue = count_near(img, 0x1f, 0x5f, 0xbf);
  // The drawdown fill is #c0392b at 85 % opacity over white.
  const auto red = count_near(img, 201, 87, 75);
  EXPECT_GT(blue, 400u) << "equity curve pixels";
  EXPECT_GT(red, 2000u) << "drawdown area pixels";

  // The control: the same page without its charts shows neither colour.
  auto html = report_html(report, costs, {"render test", "synthetic", "-"});
  html = std::regex_replace(html, std::regex{"<svg[\\s\\S]*?</svg>"}, "");
  std::ofstream{dir_ / "bare.html"} << html;
  ASSERT_TRUE(shoot(dir_ / "bare.html", dir_ / "bare.png"));
  rgba_image bare;
  ASSERT_TRUE(read_png(dir_ / "bare.png", bare));
  EXPECT_LT(count_near(bare, 0x1f, 0x5f, 0xbf), 20u);
  EXPECT_LT(count_near(bare, 201, 87, 75), 20u);
}

} // namespace
