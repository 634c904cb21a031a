// A strict parser of the Prometheus text exposition format 0.0.4 for tests: what pgmcp renders must
// read back line by line, stricter than Prometheus itself (no timestamps, no stray comments).
#pragma once

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgmcp::metrics::testing {

struct ParsedSample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;  // in the order written, unescaped
  double value = 0;

  std::string Label(std::string_view key) const {
    for (const auto& [k, v] : labels) {
      if (k == key) return v;
    }
    return {};
  }
};

struct ParsedFamily {
  std::string name;
  std::string help;  // unescaped
  std::string type;
  std::vector<ParsedSample> samples;
};

struct ParsedExposition {
  std::vector<ParsedFamily> families;
  std::string error;  // empty when the whole text parsed and every invariant holds
  bool ok() const { return error.empty(); }

  const ParsedFamily* Find(std::string_view name) const {
    for (const auto& f : families) {
      if (f.name == name) return &f;
    }
    return nullptr;
  }
  // Every sample name (with _bucket/_sum/_count), for checking what a query may refer to.
  std::set<std::string> SampleNames() const {
    std::set<std::string> names;
    for (const auto& f : families) {
      for (const auto& s : f.samples) names.insert(s.name);
    }
    return names;
  }
};

namespace detail {

inline bool IsMetricNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':'; }
inline bool IsMetricNameChar(char c) { return IsMetricNameStart(c) || std::isdigit(static_cast<unsigned char>(c)); }
inline bool IsLabelNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
inline bool IsLabelNameChar(char c) { return IsLabelNameStart(c) || std::isdigit(static_cast<unsigned char>(c)); }

class LineReader {
 public:
  explicit LineReader(std::string_view line) : line_(line) {}
  bool AtEnd() const { return pos_ >= line_.size(); }
  char Peek() const { return AtEnd() ? '\0' : line_[pos_]; }
  bool Consume(char c) {
    if (Peek() != c || AtEnd()) return false;
    ++pos_;
    return true;
  }
  bool ConsumeText(std::string_view s) {
    if (line_.substr(pos_).starts_with(s)) {
      pos_ += s.size();
      return true;
    }
    return false;
  }
  std::string MetricName() {
    const size_t start = pos_;
    if (!IsMetricNameStart(Peek())) return {};
    while (!AtEnd() && IsMetricNameChar(line_[pos_])) ++pos_;
    return std::string(line_.substr(start, pos_ - start));
  }
  std::string LabelName() {
    const size_t start = pos_;
    if (!IsLabelNameStart(Peek())) return {};
    while (!AtEnd() && IsLabelNameChar(line_[pos_])) ++pos_;
    return std::string(line_.substr(start, pos_ - start));
  }
  std::string_view Rest() {
    auto rest = line_.substr(pos_);
    pos_ = line_.size();
    return rest;
  }
  // After the opening quote: the value up to the closing quote; only \\, \" and \n may be escaped.
  bool QuotedValue(std::string& out) {
    while (!AtEnd()) {
      const char c = line_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (AtEnd()) return false;
      const char e = line_[pos_++];
      if (e == '\\')
        out += '\\';
      else if (e == '"')
        out += '"';
      else if (e == 'n')
        out += '\n';
      else
        return false;
    }
    return false;
  }

 private:
  std::string_view line_;
  size_t pos_ = 0;
};

inline bool ParseValue(std::string_view text, double& out) {
  if (text == "+Inf") return out = HUGE_VAL, true;
  if (text == "-Inf") return out = -HUGE_VAL, true;
  if (text == "NaN") return out = NAN, true;
  if (text.empty()) return false;
  // Go's ParseFloat grammar without hex, underscores or spelled-out infinities: [-+]?digits[.digits][e[-+]digits]
  size_t i = 0;
  if (text[i] == '-' || text[i] == '+') ++i;
  size_t digits = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, ++digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    size_t exp_digits = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  if (i != text.size()) return false;
  out = std::strtod(std::string(text).c_str(), nullptr);
  return true;
}

inline std::string UnescapeHelp(std::string_view text, bool& ok) {
  std::string out;
  ok = true;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (i + 1 == text.size()) return ok = false, out;
    const char e = text[++i];
    if (e == '\\')
      out += '\\';
    else if (e == 'n')
      out += '\n';
    else
      return ok = false, out;
  }
  return out;
}

// Histogram invariants: per label set (le aside) buckets with strictly increasing le ending at
// +Inf, non-decreasing integer counts, and one _sum and one _count with _count == the +Inf bucket.
inline std::string CheckHistogram(const ParsedFamily& f) {
  struct Series {
    std::vector<std::pair<double, double>> buckets;  // le, count
    int sums = 0;
    int counts = 0;
    double count = 0;
  };
  std::map<std::vector<std::pair<std::string, std::string>>, Series> series;
  for (const auto& s : f.samples) {
    std::vector<std::pair<std::string, std::string>> key;
    std::string le;
    bool has_le = false;
    for (const auto& [k, v] : s.labels) {
      if (k == "le") {
        le = v;
        has_le = true;
      } else {
        key.emplace_back(k, v);
      }
    }
    auto& entry = series[key];
    if (s.name == f.name + "_bucket") {
      double bound = 0;
      if (!has_le || !ParseValue(le, bound)) return "bucket without a numeric le: " + s.name;
      if (s.value < 0 || s.value != std::floor(s.value)) return "bucket count not a whole number: " + s.name;
      if (!entry.buckets.empty()) {
        if (!(entry.buckets.back().first < bound)) return "le not increasing in " + f.name;
        if (s.value < entry.buckets.back().second) return "bucket counts not cumulative in " + f.name;
      }
      if (entry.sums || entry.counts) return "bucket after _sum/_count in " + f.name;
      entry.buckets.emplace_back(bound, s.value);
    } else if (has_le) {
      return "le on a non-bucket sample: " + s.name;
    } else if (s.name == f.name + "_sum") {
      ++entry.sums;
    } else if (s.name == f.name + "_count") {
      ++entry.counts;
      entry.count = s.value;
    }
  }
  for (const auto& [key, s] : series) {
    if (s.buckets.empty() || !(std::isinf(s.buckets.back().first) && s.buckets.back().first > 0))
      return "histogram series without +Inf: " + f.name;
    if (s.sums != 1 || s.counts != 1) return "histogram series without one _sum and one _count: " + f.name;
    if (s.count != s.buckets.back().second) return "_count differs from the +Inf bucket in " + f.name;
  }
  return {};
}

}  // namespace detail

inline ParsedExposition ParseExposition(std::string_view text) {
  using detail::LineReader;
  ParsedExposition result;
  auto fail = [&](size_t line_no, const std::string& why) {
    result.error = "line " + std::to_string(line_no) + ": " + why;
    return result;
  };
  if (!text.empty() && text.back() != '\n') return fail(0, "text does not end with a line feed");
  std::set<std::string> seen_families;
  std::set<std::string> seen_series;
  size_t line_no = 0;
  size_t start = 0;
  bool expect_type = false;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (line.empty()) return fail(line_no, "empty line");
    LineReader r(line);
    if (line.front() == '#') {
      if (r.ConsumeText("# HELP ")) {
        if (expect_type) return fail(line_no, "HELP not followed by TYPE");
        const auto name = r.MetricName();
        if (name.empty() || !r.Consume(' ')) return fail(line_no, "bad HELP line");
        if (!seen_families.insert(name).second) return fail(line_no, "family described twice: " + name);
        bool ok = false;
        auto help = detail::UnescapeHelp(r.Rest(), ok);
        if (!ok) return fail(line_no, "bad escape in HELP");
        result.families.push_back({name, std::move(help), "", {}});
        expect_type = true;
      } else if (r.ConsumeText("# TYPE ")) {
        const auto name = r.MetricName();
        if (!expect_type || result.families.back().name != name) return fail(line_no, "TYPE without its HELP");
        if (!r.Consume(' ')) return fail(line_no, "bad TYPE line");
        const std::string type(r.Rest());
        if (type != "counter" && type != "gauge" && type != "histogram" && type != "summary" && type != "untyped") {
          return fail(line_no, "unknown type " + type);
        }
        result.families.back().type = type;
        expect_type = false;
      } else {
        return fail(line_no, "comment other than HELP/TYPE");
      }
      continue;
    }
    if (expect_type || result.families.empty()) return fail(line_no, "sample before HELP and TYPE");
    auto& family = result.families.back();
    ParsedSample sample;
    sample.name = r.MetricName();
    if (sample.name.empty()) return fail(line_no, "bad metric name");
    const bool belongs = family.type == "histogram"
                             ? (sample.name == family.name + "_bucket" || sample.name == family.name + "_sum" ||
                                sample.name == family.name + "_count")
                             : sample.name == family.name;
    if (!belongs) return fail(line_no, "sample " + sample.name + " outside its family " + family.name);
    if (r.Consume('{')) {
      std::set<std::string> label_names;
      while (true) {
        const auto label = r.LabelName();
        if (label.empty() || label.starts_with("__")) return fail(line_no, "bad label name");
        if (!label_names.insert(label).second) return fail(line_no, "duplicate label " + label);
        if (!r.Consume('=') || !r.Consume('"')) return fail(line_no, "label without =\"");
        std::string value;
        if (!r.QuotedValue(value)) return fail(line_no, "bad label value");
        sample.labels.emplace_back(label, std::move(value));
        if (r.Consume(',')) continue;
        if (r.Consume('}')) break;
        return fail(line_no, "labels not closed");
      }
    }
    if (!r.Consume(' ')) return fail(line_no, "no single space before the value");
    const auto value_text = r.Rest();
    if (!detail::ParseValue(value_text, sample.value)) {
      return fail(line_no, "value is not a float (or a timestamp follows): " + std::string(value_text));
    }
    if (family.type == "counter" && !(sample.value >= 0)) return fail(line_no, "negative or NaN counter");
    std::string identity = sample.name;
    for (const auto& [k, v] : sample.labels) identity += '\0' + k + '\0' + v;
    if (!seen_series.insert(identity).second) return fail(line_no, "duplicate series " + sample.name);
    family.samples.push_back(std::move(sample));
  }
  if (expect_type) return fail(line_no, "HELP at the end without TYPE");
  for (const auto& f : result.families) {
    if (f.type != "histogram") continue;
    if (auto why = detail::CheckHistogram(f); !why.empty()) {
      result.error = why;
      return result;
    }
  }
  return result;
}

}  // namespace pgmcp::metrics::testing
