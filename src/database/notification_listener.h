// NotificationListener: a dedicated connection that LISTENs on one channel and reports each
// NOTIFY payload; it reconnects (with backoff) whenever the connection drops or stops answering.
// Event-loop only.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace pgmcp::database {

class Connection;

class NotificationListener : public std::enable_shared_from_this<NotificationListener> {
 public:
  using Handler = std::function<void(const std::string& payload)>;
  // `on_state(true)` runs each time LISTEN is in place (first start and every reconnect), so the
  // owner can catch up on changes it may have missed while disconnected; `on_state(false)` each
  // time a connect, a LISTEN or a listening connection failed. `answer_timeout` bounds
  // the connect, the LISTEN and each probe of a connection that has been silent for kProbeAfter:
  // one that does not answer in time is taken for lost (a stalled network path or a hung server
  // sends no end of stream) and replaced.
  static std::shared_ptr<NotificationListener> Create(boost::asio::any_io_executor executor, std::string dsn,
                                                      std::string channel, std::chrono::milliseconds answer_timeout,
                                                      Handler on_notify, std::function<void(bool)> on_state = {});
  void Start();
  void Stop();

 private:
  NotificationListener(boost::asio::any_io_executor executor, std::string dsn, std::string channel,
                       std::chrono::milliseconds answer_timeout, Handler on_notify, std::function<void(bool)> on_state);
  boost::asio::awaitable<const char*> Listen(Connection& conn);

  boost::asio::any_io_executor executor_;
  std::string dsn_;
  std::string channel_;
  std::chrono::milliseconds answer_timeout_;
  Handler on_notify_;
  std::function<void(bool)> on_state_;
  bool stopped_ = false;
};

// How long the LISTEN connection may stay silent before it is probed (an empty pipeline: a Sync
// alone, which the server answers with ReadyForQuery and logs nowhere).
inline constexpr std::chrono::seconds kProbeAfter{5};

// The LISTEN statement for `channel`, quoted as an identifier (channels come from the config).
std::string ListenStatement(const std::string& channel);

}  // namespace pgmcp::database
