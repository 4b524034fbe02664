#include "runtime/backtest_report.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "kis/kst.hpp"

namespace kis::runtime {

namespace {

constexpr int chart_width = 960;
constexpr int chart_height = 280;
constexpr int pad_left = 110, pad_right = 20, pad_top = 20, pad_bottom = 40;
constexpr std::size_t max_points = 2000;
// The colours the rendering test looks for: keep them in step with tests/runtime.
constexpr const char* equity_colour = "#1f5fbf";
constexpr const char* drawdown_colour = "#c0392b";

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string krw(std::int64_t v) {
  auto s = std::to_string(v < 0 ? -v : v);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3)
    s.insert(static_cast<std::size_t>(i), ",");
  return (v < 0 ? "-" : "") + s;
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '&':
      out += "&amp;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string when(std::int64_t ns) {
  return ns == 0 ? std::string{"open"} : api::kst::format_datetime(ns);
}

// Every k-th point so a chart stays small; the last point always.
std::vector<equity_point> thinned(const std::vector<equity_point>& pts) {
  if (pts.size() <= max_points)
    return pts;
  std::vector<equity_point> out;
  const auto step = (pts.size() + max_points - 1) / max_points;
  for (std::size_t i = 0; i < pts.size(); i += step)
    out.push_back(pts[i]);
  if (out.back().at_ns != pts.back().at_ns)
    out.push_back(pts.back());
  return out;
}

struct frame {
  std::int64_t t0 = 0, t1 = 1;
  double y0 = 0, y1 = 1;
  double x(std::int64_t t) const {
    return pad_left + (chart_width - pad_left - pad_right) * static_cast<double>(t - t0) /
                          static_cast<double>(std::max<std::int64_t>(1, t1 - t0));
  }
  double y(double v) const {
    return pad_top + (chart_height - pad_top - pad_bottom) * (1.0 - (v - y0) / (y1 - y0));
  }
};

std::string svg_open(const std::string& label) {
  std::ostringstream os;
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << chart_width << "\" height=\""
     << chart_height << "\" viewBox=\"0 0 " << chart_width << " " << chart_height
     << "\" role=\"img\" aria-label=\"" << label << "\">"
     << "<rect x=\"0\" y=\"0\" width=\"" << chart_width << "\" height=\"" << chart_height
     << "\" fill=\"#ffffff\"/>";
  return os.str();
}

// Frame, horizontal grid lines with labels, and the first and last time under the x axis.
std::string axes(const frame& f, const std::string& (*label)(double, std::string&)) {
  std::ostringstream os;
  os << "<g font-family=\"sans-serif\" font-size=\"12\" fill=\"#444444\">";
  for (int i = 0; i <= 4; ++i) {
    const double v = f.y0 + (f.y1 - f.y0) * i / 4.0;
    const double y = f.y(v);
    std::string buf;
    os << "<line x1=\"" << pad_left << "\" x2=\"" << chart_width - pad_right << "\" y1=\"" << y
       << "\" y2=\"" << y << "\" stroke=\"#dddddd\"/>"
       << "<text x=\"" << pad_left - 6 << "\" y=\"" << y + 4 << "\" text-anchor=\"end\">"
       << label(v, buf) << "</text>";
  }
  os << "<text x=\"" << pad_left << "\" y=\"" << chart_height - 12 << "\">" << escape(when(f.t0))
     << "</text><text x=\"" << chart_width - pad_right << "\" y=\"" << chart_height - 12
     << "\" text-anchor=\"end\">" << escape(when(f.t1)) << "</text></g>";
  return os.str();
}

const std::string& krw_label(double v, std::string& buf) {
  buf = krw(static_cast<std::int64_t>(v));
  return buf;
}

const std::string& pct_label(double v, std::string& buf) {
  buf = fmt("%.2f%%", v);
  return buf;
}

} // namespace

std::string equity_svg(const backtest_report& r) {
  auto pts = thinned(r.equity);
  std::ostringstream os;
  os << svg_open("equity curve");
  if (pts.size() >= 2) {
    frame f{pts.front().at_ns, pts.back().at_ns, 0, 1};
    auto [lo, hi] = std::minmax_element(
        pts.begin(), pts.end(), [](const auto& a, const auto& b) { return a.equity < b.equity; });
    const double span = std::max<double>(1.0, static_cast<double>(hi->equity - lo->equity));
    f.y0 = static_cast<double>(lo->equity) - span * 0.05;
    f.y1 = static_cast<double>(hi->equity) + span * 0.05;
    os << axes(f, krw_label) << "<polyline fill=\"none\" stroke=\"" << equity_colour
       << "\" stroke-width=\"2.5\" points=\"";
    for (const auto& p : pts)
      os << fmt("%.1f", f.x(p.at_ns)) << ',' << fmt("%.1f", f.y(static_cast<double>(p.equity)))
         << ' ';
    os << "\"/>";
  }
  os << "</svg>";
  return os.str();
}

std::string drawdown_svg(const backtest_report& r) {
  auto pts = thinned(r.equity);
  std::ostringstream os;
  os << svg_open("drawdown");
  if (pts.size() >= 2) {
    double worst = 0;
    for (const auto& p : pts)
      worst = std::min(worst, p.drawdown_pct);
    frame f{pts.front().at_ns, pts.back().at_ns, std::min(-0.01, worst * 1.1), 0};
    os << axes(f, pct_label) << "<polygon fill=\"" << drawdown_colour
       << "\" fill-opacity=\"0.85\" stroke=\"" << drawdown_colour << "\" points=\""
       << fmt("%.1f", f.x(pts.front().at_ns)) << ',' << fmt("%.1f", f.y(0)) << ' ';
    for (const auto& p : pts)
      os << fmt("%.1f", f.x(p.at_ns)) << ',' << fmt("%.1f", f.y(p.drawdown_pct)) << ' ';
    os << fmt("%.1f", f.x(pts.back().at_ns)) << ',' << fmt("%.1f", f.y(0)) << "\"/>";
  }
  os << "</svg>";
  return os.str();
}

std::string trades_csv(const backtest_report& r) {
  std::ostringstream os;
  os << "symbol,entry,exit,max_qty,bought_krw,sold_krw,costs_krw,net_pnl_krw,open\n";
  for (const auto& t : r.trades)
    os << t.symbol << ',' << when(t.entry_ns) << ',' << when(t.exit_ns) << ',' << t.max_qty << ','
       << t.bought << ',' << t.sold << ',' << t.costs << ',' << t.net_pnl << ','
       << (t.open ? "yes" : "no") << '\n';
  return os.str();
}

std::string summary_text(const backtest_report& r, const backtest_costs& c,
                         const report_context& ctx) {
  const auto& s = r.summary;
  std::ostringstream os;
  os << ctx.title << "\nsource          " << ctx.source << "\ninitial cash    "
     << krw(s.initial_cash) << " KRW\nfinal equity    " << krw(s.final_equity)
     << " KRW\nP&L             " << krw(s.net_pnl) << " KRW (after costs)\nreturn          "
     << fmt("%.4f", s.return_pct) << " %\nmax drawdown    " << fmt("%.4f", s.max_drawdown_pct)
     << " % (" << krw(s.max_drawdown_krw) << " KRW)\ntrades          " << s.trades
     << " closed round trips, " << s.fills << " fills\nwin rate        "
     << fmt("%.2f", s.win_rate_pct) << " %\nturnover        " << fmt("%.4f", s.turnover)
     << " x initial cash\nSharpe          " << fmt("%.3f", s.sharpe) << " ("
     << (s.sharpe_basis.empty() ? "too few marks" : s.sharpe_basis)
     << ", risk-free 0)\ncosts           commission " << krw(s.commission) << " KRW at "
     << fmt("%.7f", c.commission_pct) << " % a side, tax " << krw(s.tax) << " KRW at "
     << fmt("%.2f", c.sell_tax_pct) << " % of sells, slippage " << krw(s.slippage) << " KRW at "
     << c.slippage_ticks << " ticks\ndigest          " << ctx.digest << "\n";
  return os.str();
}

std::string report_html(const backtest_report& r, const backtest_costs& c,
                        const report_context& ctx) {
  std::ostringstream os;
  os << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
     << escape(ctx.title) << "</title><style>body{font-family:sans-serif;margin:24px;color:#222}"
     << "pre{background:#f6f6f6;padding:12px}table{border-collapse:collapse;font-size:13px}"
     << "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#eee}"
     << "</style></head><body>\n<h1>" << escape(ctx.title) << "</h1>\n<pre>"
     << escape(summary_text(r, c, ctx)) << "</pre>\n<h2>Equity</h2>\n"
     << equity_svg(r) << "\n<h2>Drawdown</h2>\n"
     << drawdown_svg(r) << "\n<h2>Trades</h2>\n<table><tr>"
     << "<th>symbol</th><th>entry</th><th>exit</th><th>max qty</th><th>net P&amp;L (KRW)</th></tr>";
  std::size_t shown = 0;
  for (const auto& t : r.trades) {
    if (++shown > 500)
      break;
    os << "<tr><td>" << escape(t.symbol) << "</td><td>" << escape(when(t.entry_ns)) << "</td><td>"
       << escape(when(t.exit_ns)) << "</td><td>" << t.max_qty << "</td><td>" << krw(t.net_pnl)
       << "</td></tr>";
  }
  os << "</table>";
  if (r.trades.size() > 500)
    os << "<p>" << r.trades.size() - 500 << " more in trades.csv</p>";
  os << "\n</body></html>\n";
  return os.str();
}

bool write_backtest_outputs(const std::filesystem::path& dir, const backtest_report& r,
                            const backtest_costs& c, const report_context& ctx) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  bool ok = !ec;
  auto put = [&](const char* name, const std::string& text) {
    std::ofstream out{dir / name, std::ios::binary | std::ios::trunc};
    out << text;
    ok = ok && static_cast<bool>(out);
  };
  put("trades.csv", trades_csv(r));
  put("backtest.txt", summary_text(r, c, ctx));
  put("report.html", report_html(r, c, ctx));
  return ok;
}

} // namespace kis::runtime
