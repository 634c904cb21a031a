// NotificationListener: a dedicated connection that LISTENs on one channel and reports each
// NOTIFY payload; it reconnects (with backoff) whenever the connection drops. Event-loop only.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>
#include <string>

namespace pgmcp::database {

class NotificationListener : public std::enable_shared_from_this<NotificationListener> {
 public:
  using Handler = std::function<void(const std::string& payload)>;
  // `on_listening` runs each time LISTEN is in place (first start and every reconnect), so the
  // owner can catch up on changes it may have missed while disconnected.
  static std::shared_ptr<NotificationListener> Create(boost::asio::any_io_executor executor, std::string dsn,
                                                      std::string channel, Handler on_notify,
                                                      std::function<void()> on_listening = {});
  void Start();
  void Stop();

 private:
  NotificationListener(boost::asio::any_io_executor executor, std::string dsn, std::string channel, Handler on_notify,
                       std::function<void()> on_listening);
  boost::asio::any_io_executor executor_;
  std::string dsn_;
  std::string channel_;
  Handler on_notify_;
  std::function<void()> on_listening_;
  bool stopped_ = false;
};

// The LISTEN statement for `channel`, quoted as an identifier (channels come from the config).
std::string ListenStatement(const std::string& channel);

}  // namespace pgmcp::database
