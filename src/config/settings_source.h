// SettingsSource: the one place the current Settings live. A SIGHUP builds a new immutable
// Settings and swaps it in whole; every consumer reads current() when it starts a unit of work
// (a request, a call, a message) and keeps that snapshot until the work ends. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <utility>

#include "config/settings.h"

namespace pgmcp::config {

class SettingsSource {
 public:
  explicit SettingsSource(std::shared_ptr<const Settings> initial) : current_(std::move(initial)) {}

  std::shared_ptr<const Settings> current() const {
    std::lock_guard lock(mu_);
    return current_;
  }
  void Replace(std::shared_ptr<const Settings> next) {
    std::lock_guard lock(mu_);
    current_ = std::move(next);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Settings> current_;  // guarded by mu_
};

using SettingsSourcePtr = std::shared_ptr<SettingsSource>;

}  // namespace pgmcp::config
