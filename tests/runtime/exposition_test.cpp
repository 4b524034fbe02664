// The Prometheus text parses back (names, HELP/TYPE, label escaping), the JSON round-trips,
// and the views print the three API figures first.
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <regex>
#include <sstream>

#include "runtime/console_page.hpp"
#include "runtime/exposition.hpp"
#include "runtime/metrics_cli.hpp"
#include "tests/support/sample_snapshot.hpp"

namespace {

using kis::testing::sample_snapshot;

struct parsed_sample {
  std::string name;
  std::map<std::string, std::string> labels;
  std::string value;
};

struct parsed_text {
  std::map<std::string, std::string> types;
  std::map<std::string, std::string> helps;
  std::vector<parsed_sample> samples;
};

// A strict reader of text format 0.0.4: fails the test on anything it does not understand.
parsed_text parse(const std::string& text) {
  static const std::regex name_re{"[a-zA-Z_:][a-zA-Z0-9_:]*"};
  parsed_text out;
  std::istringstream in{text};
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
      auto rest = line.substr(7);
      auto sp = rest.find(' ');
      EXPECT_NE(sp, std::string::npos) << line;
      auto name = rest.substr(0, sp);
      EXPECT_TRUE(std::regex_match(name, name_re)) << name;
      if (line[2] == 'H') {
        EXPECT_FALSE(out.helps.contains(name)) << "second HELP for " << name;
        out.helps[name] = rest.substr(sp + 1);
      } else {
        EXPECT_FALSE(out.types.contains(name)) << "second TYPE for " << name;
        out.types[name] = rest.substr(sp + 1);
      }
      continue;
    }
    parsed_sample s;
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ')
      s.name += line[i++];
    EXPECT_TRUE(std::regex_match(s.name, name_re)) << line;
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (line.at(i) != '}') {
        std::string key, value;
        while (line.at(i) != '=')
          key += line[i++];
        EXPECT_EQ(line.at(++i), '"') << line;
        for (++i; line.at(i) != '"'; ++i) {
          if (line[i] == '\\') {
            char c = line.at(++i);
            EXPECT_TRUE(c == '\\' || c == '"' || c == 'n') << "bad escape in " << line;
            value += c == 'n' ? '\n' : c;
          } else {
            value += line[i];
          }
        }
        ++i;
        if (line.at(i) == ',')
          ++i;
        s.labels[key] = value;
      }
      ++i;
    }
    EXPECT_EQ(line.at(i), ' ') << line;
    s.value = line.substr(i + 1);
    EXPECT_NO_THROW((void)std::stod(s.value == "+Inf" ? "inf" : s.value)) << line;
    out.samples.push_back(std::move(s));
  }
  return out;
}

std::string family_of(const parsed_text& t, const std::string& sample_name) {
  if (t.types.contains(sample_name))
    return sample_name;
  for (const char* suffix : {"_bucket", "_sum", "_count"})
    if (sample_name.ends_with(suffix)) {
      auto base = sample_name.substr(0, sample_name.size() - std::string{suffix}.size());
      if (t.types.contains(base) && t.types.at(base) == "histogram")
        return base;
    }
  return {};
}

TEST(Exposition, EverySampleBelongsToAFamilyWithHelpAndType) {
  auto t = parse(kis::to_prometheus(sample_snapshot()));
  ASSERT_FALSE(t.samples.empty());
  for (const auto& [name, type] : t.types) {
    EXPECT_TRUE(name.starts_with("kis_")) << name;
    EXPECT_TRUE(type == "counter" || type == "gauge" || type == "histogram") << type;
    EXPECT_TRUE(t.helps.contains(name)) << name;
    if (type == "counter") {
      EXPECT_TRUE(name.ends_with("_total")) << name;
    }
  }
  for (const auto& s : t.samples)
    EXPECT_FALSE(family_of(t, s.name).empty()) << s.name << " has no TYPE";
}

TEST(Exposition, UsesConventionalNamesAndActorLabels) {
  auto t = parse(kis::to_prometheus(sample_snapshot()));
  EXPECT_EQ(t.types.at("kis_process_resident_memory_bytes"), "gauge");
  EXPECT_EQ(t.types.at("kis_process_cpu_seconds_total"), "counter");
  EXPECT_EQ(t.types.at("kis_actor_messages_processed_total"), "counter");
  EXPECT_EQ(t.types.at("kis_actor_processing_seconds"), "histogram");
  EXPECT_EQ(t.types.at("kis_rest_calls_total"), "counter");
  EXPECT_EQ(t.types.at("kis_permit_wait_seconds"), "histogram");
  bool found = false;
  for (const auto& s : t.samples)
    if (s.name == "kis_permits_granted_total" && s.labels.at("class") == "order") {
      EXPECT_EQ(s.labels.at("actor"), "rate_governor");
      EXPECT_EQ(s.labels.at("role"), "rate_governor");
      EXPECT_EQ(s.value, "7");
      found = true;
    }
  EXPECT_TRUE(found);
}

TEST(Exposition, HistogramBucketsAreCumulativeAndEndAtInf) {
  auto t = parse(kis::to_prometheus(sample_snapshot()));
  std::vector<double> counts;
  std::string last_le;
  for (const auto& s : t.samples)
    if (s.name == "kis_actor_processing_seconds_bucket" && s.labels.at("actor") == "rest_gateway") {
      counts.push_back(std::stod(s.value));
      last_le = s.labels.at("le");
    }
  ASSERT_EQ(counts.size(), 23u);
  EXPECT_TRUE(std::is_sorted(counts.begin(), counts.end()));
  EXPECT_EQ(last_le, "+Inf");
}

TEST(Exposition, EscapesBackslashQuoteAndNewlineInLabelValues) {
  EXPECT_EQ(kis::escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  auto snap = sample_snapshot();
  const std::string odd = "say \"hi\"\\\nbye";
  snap.actors[0].values.push_back({"odd_total", kis::metric_type::counter, {{"why", odd}}, 1});
  auto t = parse(kis::to_prometheus(snap));
  bool found = false;
  for (const auto& s : t.samples)
    if (s.name == "kis_odd_total") {
      EXPECT_EQ(s.labels.at("why"), odd);
      found = true;
    }
  EXPECT_TRUE(found);
}

TEST(Exposition, AMetricNameWithTwoTypesKeepsTheFirst) {
  auto snap = sample_snapshot();
  // ws_feed sorts after rest_gateway, whose counter therefore comes first
  snap.actors[2].values.push_back({"rest_calls_total", kis::metric_type::gauge, {}, 5});
  auto t = parse(kis::to_prometheus(snap));
  EXPECT_EQ(t.types.at("kis_rest_calls_total"), "counter");
}

TEST(Json, RoundTripsASnapshot) {
  // Boost 1.81 parses numbers to within an ulp, so doubles compare nearly.
  auto snap = sample_snapshot();
  snap.warnings.push_back({42, "journal:order_executor", "the order journal failed \"x\"", true});
  std::string error;
  auto back = kis::snapshot_from_json(kis::to_json(snap), &error);
  ASSERT_TRUE(back) << error;
  ASSERT_EQ(back->warnings.size(), 1u); // the console's list travels in the JSON
  EXPECT_EQ(back->warnings[0].message, snap.warnings[0].message);
  EXPECT_TRUE(back->warnings[0].raised);
  EXPECT_EQ(back->at_ns, snap.at_ns);
  EXPECT_EQ(back->rss_bytes, snap.rss_bytes);
  EXPECT_DOUBLE_EQ(back->cpu_percent, snap.cpu_percent);
  ASSERT_EQ(back->actors.size(), snap.actors.size());
  for (std::size_t i = 0; i < snap.actors.size(); ++i) {
    const auto& x = snap.actors[i];
    const auto& y = back->actors[i];
    EXPECT_EQ(y.actor, x.actor);
    EXPECT_EQ(y.role, x.role);
    EXPECT_EQ(y.processed, x.processed);
    EXPECT_EQ(y.mailbox_depth_max, x.mailbox_depth_max);
    EXPECT_EQ(y.processing.counts, x.processing.counts);
    EXPECT_DOUBLE_EQ(y.processing.sum, x.processing.sum);
    ASSERT_EQ(y.values.size(), x.values.size());
    for (std::size_t j = 0; j < x.values.size(); ++j) {
      EXPECT_EQ(y.values[j].name, x.values[j].name);
      EXPECT_EQ(y.values[j].type, x.values[j].type);
      EXPECT_EQ(y.values[j].labels.size(), x.values[j].labels.size());
      EXPECT_DOUBLE_EQ(y.values[j].value, x.values[j].value);
    }
    ASSERT_EQ(y.histograms.size(), x.histograms.size());
    for (std::size_t j = 0; j < x.histograms.size(); ++j) {
      EXPECT_EQ(y.histograms[j].name, x.histograms[j].name);
      EXPECT_EQ(y.histograms[j].labels[0].value, x.histograms[j].labels[0].value);
      EXPECT_EQ(y.histograms[j].counts, x.histograms[j].counts);
    }
  }
}

TEST(Json, RejectsWhatIsNotASnapshotWithAReason) {
  std::string error;
  EXPECT_FALSE(kis::snapshot_from_json("{\"at_ns\": 1", &error));
  EXPECT_NE(error.find("not JSON"), std::string::npos);
  EXPECT_FALSE(kis::snapshot_from_json("{\"at_ns\": \"x\"}", &error));
  EXPECT_NE(error.find("not a metrics snapshot"), std::string::npos);
}

TEST(Summary, AddsTheApiFiguresOfEveryActor) {
  auto sum = kis::summarize(sample_snapshot());
  EXPECT_DOUBLE_EQ(sum.api_calls, 120);
  EXPECT_DOUBLE_EQ(sum.api_success_ratio, 117.0 / 120.0);
  EXPECT_DOUBLE_EQ(sum.api_calls_last_second, 14);
  EXPECT_DOUBLE_EQ(sum.api_rate_limit, 20);
  EXPECT_DOUBLE_EQ(sum.ws_slots, 37);
}

TEST(Views, ReportPrintsTheThreeApiFiguresFirst) {
  auto text = kis::format_report(sample_snapshot());
  auto calls = text.find("API calls total        120");
  auto rate = text.find("API success rate       97.50 %");
  auto last = text.find("API calls last second  14 / 20");
  ASSERT_NE(calls, std::string::npos) << text;
  ASSERT_NE(rate, std::string::npos) << text;
  ASSERT_NE(last, std::string::npos) << text;
  EXPECT_EQ(calls, 0u);
  EXPECT_LT(rate, last);
  EXPECT_NE(text.find("rest_gateway"), std::string::npos);
}

TEST(Views, TopSortsByMailboxDepthAndShowsTheBudgetBar) {
  auto snap = sample_snapshot();
  auto text = kis::format_top(snap, nullptr, kis::top_sort::mailbox);
  EXPECT_NE(text.find("API budget ["), std::string::npos) << text;
  EXPECT_NE(text.find("14/20"), std::string::npos) << text;
  // analyzer-1 has the deepest mailbox in the sample
  EXPECT_LT(text.find("analyzer-1"), text.find("rate_governor")) << text;
  EXPECT_LT(kis::format_top(snap, nullptr, kis::top_sort::name).find("analyzer-1"),
            kis::format_top(snap, nullptr, kis::top_sort::name).find("rest_gateway"));
  EXPECT_EQ(kis::parse_top_sort("time"), kis::top_sort::time);
  EXPECT_FALSE(kis::parse_top_sort("cpu"));
}

TEST(Views, StatusLineIsOneLine) {
  auto line = kis::format_status_line(sample_snapshot());
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_NE(line.find("api 120 calls, 97.5% ok, 14/20 last s"), std::string::npos) << line;
  EXPECT_NE(kis::format_run_summary(sample_snapshot()).find("API calls total"), std::string::npos);
}

TEST(Views, MetricsUrlDefaultsToTheJsonPath) {
  EXPECT_EQ(kis::metrics_json_url("127.0.0.1:9000"), "http://127.0.0.1:9000/metrics.json");
  EXPECT_EQ(kis::metrics_json_url("http://h:1/x.json"), "http://h:1/x.json");
  EXPECT_EQ(kis::metrics_json_url(""), "http://127.0.0.1:9464/metrics.json");
}

} // namespace

// The console's script reads metrics by name; every name it reads is one the engine reports.
TEST(ConsolePage, ReadsOnlyMetricsTheEngineReports) {
  const std::string page{kis::console_page()};
  // A quoted name with a role's prefix is a metric name in the script (its other strings are
  // element ids, labels and prose).
  const std::regex read{
      R"re("((rest|permit|permits|ws|gateway|token|analyzer|strategy|executor|signals|)re"
      R"re(orders|fills|realized|position|blotter|journal|replay)_[a-z0-9_]*)")re"};
  std::size_t reads = 0;
  for (auto it = std::sregex_iterator(page.begin(), page.end(), read); it != std::sregex_iterator();
       ++it, ++reads) {
    const auto name = (*it)[1].str();
    EXPECT_NE(std::find(std::begin(kis::metric_names::all), std::end(kis::metric_names::all), name),
              std::end(kis::metric_names::all))
        << "the console reads " << name << ", which no role reports";
  }
  EXPECT_GE(reads, 15u); // the pattern still matches how the script names them
}
