// Registry: labelled counters, gauges and histograms rendered in the Prometheus text format 0.0.4.
// Thread-safe: families are registered at start-up; series are found under one mutex per family and
// updated with atomics, so recording from many threads and rendering concurrently are both safe.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace pgmcp::metrics {

// Label values are bounded by the code that chooses them (tool names come from the schema), but a
// bug or a hostile schema must not grow the registry without limit: past this many label sets a
// family records every new one in a single series whose label values are all kOverflowLabelValue.
inline constexpr size_t kDefaultMaxSeriesPerFamily = 10000;
inline constexpr std::string_view kOverflowLabelValue = "_other";

// A monotonically increasing count of events. Every pgmcp counter counts whole things (calls,
// rows, requests), so the value is an integer: exact, and one atomic add on the hot path.
class Counter {
 public:
  struct Config {};
  explicit Counter(const Config&) {}
  void Inc(uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down (connections, sessions, bytes), set from a sample of the state.
class Gauge {
 public:
  struct Config {};
  explicit Gauge(const Config&) {}
  void Set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
  double Value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted in fixed buckets (upper bounds, inclusive, +Inf implied) plus their sum.
class Histogram {
 public:
  struct Config {
    std::vector<double> bounds;  // finite, strictly increasing; checked when the family is made
  };
  struct Snapshot {
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf; non-decreasing
    double sum = 0;
    uint64_t count = 0;  // == cumulative.back(), by construction
  };

  explicit Histogram(const Config& config);
  // NaN is ignored: it would poison the sum and belongs in no bucket.
  void Observe(double v) noexcept;
  // Counts are kept per bucket and accumulated here, and _count is derived from them, so a snapshot
  // taken while others observe still satisfies the format's invariants (+Inf bucket == _count).
  Snapshot Read() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  const std::vector<double>& bounds_;                // the family's Config, which outlives every series
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1 slots, the last is +Inf
  std::atomic<double> sum_{0};
};

// What every family has; the registry renders families through this.
class FamilyBase {
 public:
  enum class Type { kCounter, kGauge, kHistogram };

  FamilyBase(std::string name, std::string help, std::vector<std::string> label_names, Type type, size_t max_series);
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  const std::string& name() const { return name_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  Type type() const { return type_; }

  // Appends # HELP, # TYPE and every series, ordered by label values so the output is stable.
  void Render(std::string& out) const;

 protected:
  struct SeriesView {
    const std::vector<std::string>* values;
    const void* cell;
  };
  virtual void RenderSeries(std::string& out, const std::vector<std::string>& values, const void* cell) const = 0;
  // The series to render, collected under the family's mutex (cells never move nor die).
  virtual std::vector<SeriesView> Collect() const = 0;

  // `{a="x",b="y"` without the closing brace, or nothing for a family without labels, so a
  // histogram can add `le` before closing.
  void AppendLabels(std::string& out, const std::vector<std::string>& values) const;
  // `name<suffix>{labels} `: a sample line up to its value.
  void AppendSampleName(std::string& out, std::string_view suffix, const std::vector<std::string>& values) const;
  void RenderCell(std::string& out, const std::vector<std::string>& values, const Counter& cell) const;
  void RenderCell(std::string& out, const std::vector<std::string>& values, const Gauge& cell) const;
  void RenderCell(std::string& out, const std::vector<std::string>& values, const Histogram& cell) const;

  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  const Type type_;
  const size_t max_series_;
};

template <typename Cell>
class Family final : public FamilyBase {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names, Type type, size_t max_series,
         typename Cell::Config config)
      : FamilyBase(std::move(name), std::move(help), std::move(label_names), type, max_series),
        config_(std::move(config)) {}

  // The series for these label values (one per label name, in order), created at zero on first use.
  // The reference stays valid as long as the family; callers on a hot path may keep it.
  // Throws std::invalid_argument when the number of values is wrong (a bug in the caller).
  Cell& With(std::span<const std::string_view> values);
  Cell& With(std::initializer_list<std::string_view> values) {
    return With(std::span<const std::string_view>(values.begin(), values.size()));
  }

  size_t SeriesCount() const;

 private:
  struct Series {
    Series(std::vector<std::string> v, const typename Cell::Config& config) : values(std::move(v)), cell(config) {}
    std::vector<std::string> values;
    Cell cell;
  };
  // Heterogeneous lookup: the hot path looks up with a reused buffer, without allocating a key.
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const noexcept { return std::hash<std::string_view>{}(key); }
  };

  void RenderSeries(std::string& out, const std::vector<std::string>& values, const void* cell) const override {
    RenderCell(out, values, *static_cast<const Cell*>(cell));
  }
  std::vector<SeriesView> Collect() const override;

  const typename Cell::Config config_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::unique_ptr<Series>, KeyHash, std::equal_to<>> series_;  // GUARDED_BY(mu_)
  std::unique_ptr<Series> overflow_;                                                           // GUARDED_BY(mu_)
};

// Defined once, in registry.cc.
extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

class Registry {
 public:
  explicit Registry(size_t max_series_per_family = kDefaultMaxSeriesPerFamily) : max_series_(max_series_per_family) {}
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Registration happens at start-up; a bad or duplicate name is a bug and throws
  // std::invalid_argument. A counter's name should end in "_total". The returned family lives as
  // long as the registry.
  CounterFamily& AddCounter(std::string name, std::string help, std::vector<std::string> label_names = {});
  GaugeFamily& AddGauge(std::string name, std::string help, std::vector<std::string> label_names = {});
  HistogramFamily& AddHistogram(std::string name, std::string help, std::vector<std::string> label_names,
                                std::vector<double> bounds);

  // Every family in registration order, each as # HELP, # TYPE and its series.
  std::string Render() const;

 private:
  void Reserve(const std::string& name, const std::vector<std::string>& label_names, FamilyBase::Type type);
  // Reserves the family's names and appends it; the one way every Add* registers.
  template <typename Cell>
  Family<Cell>& Add(std::string name, std::string help, std::vector<std::string> label_names, FamilyBase::Type type,
                    typename Cell::Config config);

  const size_t max_series_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<FamilyBase>> families_;  // GUARDED_BY(mu_)
  std::unordered_set<std::string> sample_names_;       // GUARDED_BY(mu_): incl. _bucket/_sum/_count
};

}  // namespace pgmcp::metrics
