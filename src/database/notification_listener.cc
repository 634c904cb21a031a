#include "database/notification_listener.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/sql_text.h"
#include "database/connection.h"
#include "logging/log.h"

namespace pgmcp::database {
namespace asio = boost::asio;

namespace {
constexpr std::chrono::seconds kMaxBackoff{30};
}  // namespace

std::string ListenStatement(const std::string& channel) { return "LISTEN " + QuoteIdentifier(channel); }

std::shared_ptr<NotificationListener> NotificationListener::Create(asio::any_io_executor executor, std::string dsn,
                                                                   std::string channel,
                                                                   std::chrono::milliseconds answer_timeout,
                                                                   Handler on_notify,
                                                                   std::function<void(bool)> on_state) {
  return std::shared_ptr<NotificationListener>(new NotificationListener(std::move(executor), std::move(dsn),
                                                                        std::move(channel), answer_timeout,
                                                                        std::move(on_notify), std::move(on_state)));
}

NotificationListener::NotificationListener(asio::any_io_executor executor, std::string dsn, std::string channel,
                                           std::chrono::milliseconds answer_timeout, Handler on_notify,
                                           std::function<void(bool)> on_state)
    : executor_(std::move(executor)), dsn_(std::move(dsn)), channel_(std::move(channel)),
      answer_timeout_(answer_timeout), on_notify_(std::move(on_notify)), on_state_(std::move(on_state)) {}

void NotificationListener::Stop() { stopped_ = true; }

void NotificationListener::Start() {
  auto self = shared_from_this();
  asio::co_spawn(
      executor_,
      [self]() -> asio::awaitable<void> {
        std::chrono::seconds backoff{1};
        asio::steady_timer pause(self->executor_);
        while (!self->stopped_) {
          // Why the connection is being replaced (listen_lost): the server's words are not logged,
          // they may quote the DSN.
          const char* lost = "connect_failed";
          auto connect = Connection::Connect(self->dsn_, Clock::now() + self->answer_timeout_);
          auto conn = co_await std::move(connect);
          if (conn) {
            std::vector<Statement> listen(1);
            listen[0].sql = ListenStatement(self->channel_);
            auto listening = co_await conn.value()->RunPipeline(listen, Clock::now() + self->answer_timeout_);
            lost = "listen_failed";
            if (listening) {
              if (self->on_state_) self->on_state_(true);
              logging::Info("listen_started", {{"channel", self->channel_}});
              backoff = std::chrono::seconds{1};
              auto listen_until_lost = self->Listen(*conn.value());
              lost = co_await std::move(listen_until_lost);
            }
          }
          if (self->stopped_) break;
          if (self->on_state_) self->on_state_(false);
          logging::Warn("listen_lost", {{"channel", self->channel_}, {"reason", lost}, {"retry_in_s", backoff.count()}});
          pause.expires_after(backoff);
          co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
          backoff = std::min(backoff * 2, kMaxBackoff);
        }
      },
      asio::detached);
}

// Reports the notifications of `conn` until it is lost (the reason) or the listener stops (""). A
// connection silent for kProbeAfter is probed with an empty pipeline, which must be answered within
// answer_timeout_: a network path that stalled or a server that hung sends no end of stream, and
// the NOTIFYs would otherwise stop without a word.
asio::awaitable<const char*> NotificationListener::Listen(Connection& conn) {
  while (!stopped_) {
    auto input = co_await conn.AwaitInput(Clock::now() + kProbeAfter);
    if (!input && input.error().kind != ErrorKind::kTimeout) co_return "dropped";
    if (!input) {
      const std::vector<Statement> nothing;  // a Sync alone
      auto run = conn.RunPipeline(nothing, Clock::now() + answer_timeout_);
      auto probe = co_await std::move(run);
      if (!probe) co_return probe.error().kind == ErrorKind::kTimeout ? "no_answer" : "dropped";
    }
    for (auto& [channel, payload] : conn.TakeNotifications()) on_notify_(payload);
  }
  co_return "";
}

}  // namespace pgmcp::database
