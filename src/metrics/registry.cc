#include "metrics/registry.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "metrics/exposition.h"

namespace pgmcp::metrics {
namespace {

// One unambiguous key per label-value tuple: each value is preceded by its length, so ("a,b") and
// ("a","b") never collide whatever bytes the values hold.
void EncodeKey(std::string& key, std::span<const std::string_view> values) {
  key.clear();
  for (const auto v : values) {
    const auto n = static_cast<uint32_t>(v.size());
    key.append(reinterpret_cast<const char*>(&n), sizeof n);
    key.append(v);
  }
}

std::string_view TypeName(FamilyBase::Type type) {
  switch (type) {
    case FamilyBase::Type::kCounter:
      return "counter";
    case FamilyBase::Type::kGauge:
      return "gauge";
    case FamilyBase::Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

// ---- Histogram ----

Histogram::Histogram(const Config& config)
    : bounds_(config.bounds), counts_(std::make_unique<std::atomic<uint64_t>[]>(config.bounds.size() + 1)) {}

void Histogram::Observe(double v) noexcept {
  if (std::isnan(v)) return;
  // `le` is inclusive: the first bound >= v is the bucket; past the last bound it is +Inf.
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  counts_[static_cast<size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.cumulative.resize(bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = running;
  }
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

// ---- FamilyBase ----

FamilyBase::FamilyBase(std::string name, std::string help, std::vector<std::string> label_names, Type type,
                       size_t max_series)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      type_(type),
      max_series_(max_series) {}

void FamilyBase::AppendLabels(std::string& out, const std::vector<std::string>& values) const {
  for (size_t i = 0; i < label_names_.size(); ++i) {
    out += i == 0 ? '{' : ',';
    out += label_names_[i];
    out += "=\"";
    AppendLabelValue(out, values[i]);
    out += '"';
  }
}

void FamilyBase::Render(std::string& out) const {
  out += "# HELP ";
  out += name_;
  out += ' ';
  AppendHelpText(out, help_);
  out += "\n# TYPE ";
  out += name_;
  out += ' ';
  out += TypeName(type_);
  out += '\n';
  auto series = Collect();
  std::sort(series.begin(), series.end(),
            [](const SeriesView& a, const SeriesView& b) { return *a.values < *b.values; });
  for (const auto& s : series) RenderSeries(out, *s.values, s.cell);
}

// ---- Family<Cell> ----

template <typename Cell>
Cell& Family<Cell>::With(std::span<const std::string_view> values) {
  if (values.size() != label_names_.size()) {
    throw std::invalid_argument("metric " + name_ + ": expected " + std::to_string(label_names_.size()) +
                                " label values, got " + std::to_string(values.size()));
  }
  // Reused per thread: the common case (the series exists) then allocates nothing.
  thread_local std::string key;
  EncodeKey(key, values);
  std::lock_guard lock(mu_);
  if (auto it = series_.find(std::string_view(key)); it != series_.end()) return it->second->cell;
  if (series_.size() >= max_series_) {
    if (!overflow_) {
      overflow_ = std::make_unique<Series>(
          std::vector<std::string>(label_names_.size(), std::string(kOverflowLabelValue)), config_);
    }
    return overflow_->cell;
  }
  std::vector<std::string> owned(values.begin(), values.end());
  auto [it, inserted] = series_.emplace(key, std::make_unique<Series>(std::move(owned), config_));
  return it->second->cell;
}

template <typename Cell>
size_t Family<Cell>::SeriesCount() const {
  std::lock_guard lock(mu_);
  return series_.size() + (overflow_ ? 1 : 0);
}

template <typename Cell>
std::vector<FamilyBase::SeriesView> Family<Cell>::Collect() const {
  std::lock_guard lock(mu_);
  std::vector<SeriesView> out;
  out.reserve(series_.size() + 1);
  for (const auto& [key, s] : series_) out.push_back({&s->values, &s->cell});
  if (overflow_) out.push_back({&overflow_->values, &overflow_->cell});
  return out;
}

void FamilyBase::AppendSampleName(std::string& out, std::string_view suffix,
                                  const std::vector<std::string>& values) const {
  out += name_;
  out += suffix;
  AppendLabels(out, values);
  if (!label_names_.empty()) out += '}';
  out += ' ';
}

void FamilyBase::RenderCell(std::string& out, const std::vector<std::string>& values, const Counter& cell) const {
  AppendSampleName(out, "", values);
  AppendUnsigned(out, cell.Value());
  out += '\n';
}

void FamilyBase::RenderCell(std::string& out, const std::vector<std::string>& values, const Gauge& cell) const {
  AppendSampleName(out, "", values);
  AppendDouble(out, cell.Value());
  out += '\n';
}

void FamilyBase::RenderCell(std::string& out, const std::vector<std::string>& values, const Histogram& cell) const {
  const auto snap = cell.Read();
  const auto& bounds = cell.bounds();
  for (size_t i = 0; i <= bounds.size(); ++i) {
    out += name_;
    out += "_bucket";
    AppendLabels(out, values);
    out += label_names_.empty() ? "{le=\"" : ",le=\"";
    AppendDouble(out, i < bounds.size() ? bounds[i] : HUGE_VAL);
    out += "\"} ";
    AppendUnsigned(out, snap.cumulative[i]);
    out += '\n';
  }
  AppendSampleName(out, "_sum", values);
  AppendDouble(out, snap.sum);
  out += '\n';
  AppendSampleName(out, "_count", values);
  AppendUnsigned(out, snap.count);
  out += '\n';
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

// ---- Registry ----

void Registry::Reserve(const std::string& name, const std::vector<std::string>& label_names, FamilyBase::Type type) {
  if (!IsValidMetricName(name)) throw std::invalid_argument("invalid metric name: " + name);
  std::unordered_set<std::string> seen;
  for (const auto& label : label_names) {
    if (!IsValidLabelName(label)) throw std::invalid_argument("metric " + name + ": invalid label name: " + label);
    if (type == FamilyBase::Type::kHistogram && label == "le") {
      throw std::invalid_argument("metric " + name + ": a histogram cannot have a label named le");
    }
    if (!seen.insert(label).second) throw std::invalid_argument("metric " + name + ": duplicate label " + label);
  }
  // A histogram owns three sample names; none may clash with another family's.
  std::vector<std::string> names = {name};
  if (type == FamilyBase::Type::kHistogram) names = {name, name + "_bucket", name + "_sum", name + "_count"};
  for (const auto& n : names) {
    if (sample_names_.contains(n)) throw std::invalid_argument("metric name registered twice: " + n);
  }
  sample_names_.insert(names.begin(), names.end());
}

template <typename Cell>
Family<Cell>& Registry::Add(std::string name, std::string help, std::vector<std::string> label_names,
                            FamilyBase::Type type, typename Cell::Config config) {
  std::lock_guard lock(mu_);
  Reserve(name, label_names, type);
  auto family = std::make_unique<Family<Cell>>(std::move(name), std::move(help), std::move(label_names), type,
                                               max_series_, std::move(config));
  auto& ref = *family;
  families_.push_back(std::move(family));
  return ref;
}

CounterFamily& Registry::AddCounter(std::string name, std::string help, std::vector<std::string> label_names) {
  return Add<Counter>(std::move(name), std::move(help), std::move(label_names), FamilyBase::Type::kCounter, {});
}

GaugeFamily& Registry::AddGauge(std::string name, std::string help, std::vector<std::string> label_names) {
  return Add<Gauge>(std::move(name), std::move(help), std::move(label_names), FamilyBase::Type::kGauge, {});
}

HistogramFamily& Registry::AddHistogram(std::string name, std::string help, std::vector<std::string> label_names,
                                        std::vector<double> bounds) {
  if (bounds.empty()) throw std::invalid_argument("histogram " + name + ": no buckets");
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && !(bounds[i - 1] < bounds[i]))) {
      throw std::invalid_argument("histogram " + name + ": bucket bounds must be finite and strictly increasing");
    }
  }
  return Add<Histogram>(std::move(name), std::move(help), std::move(label_names), FamilyBase::Type::kHistogram,
                        Histogram::Config{std::move(bounds)});
}

std::string Registry::Render() const {
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& family : families_) family->Render(out);
  return out;
}

}  // namespace pgmcp::metrics
