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
constexpr std::chrono::seconds kConnectTimeout{10};
constexpr std::chrono::seconds kMaxBackoff{30};
// How often an idle LISTEN connection wakes to notice a stop request.
constexpr std::chrono::seconds kWakeInterval{5};
}  // namespace

std::string ListenStatement(const std::string& channel) { return "LISTEN " + QuoteIdentifier(channel); }

std::shared_ptr<NotificationListener> NotificationListener::Create(asio::any_io_executor executor, std::string dsn,
                                                                   std::string channel, Handler on_notify,
                                                                   std::function<void()> on_listening) {
  return std::shared_ptr<NotificationListener>(new NotificationListener(
      std::move(executor), std::move(dsn), std::move(channel), std::move(on_notify), std::move(on_listening)));
}

NotificationListener::NotificationListener(asio::any_io_executor executor, std::string dsn, std::string channel,
                                           Handler on_notify, std::function<void()> on_listening)
    : executor_(std::move(executor)), dsn_(std::move(dsn)), channel_(std::move(channel)),
      on_notify_(std::move(on_notify)), on_listening_(std::move(on_listening)) {}

void NotificationListener::Stop() { stopped_ = true; }

void NotificationListener::Start() {
  auto self = shared_from_this();
  asio::co_spawn(
      executor_,
      [self]() -> asio::awaitable<void> {
        std::chrono::seconds backoff{1};
        asio::steady_timer pause(self->executor_);
        while (!self->stopped_) {
          auto connect = Connection::Connect(self->dsn_, Clock::now() + kConnectTimeout);
          auto conn = co_await std::move(connect);
          if (conn) {
            std::vector<Statement> listen(1);
            listen[0].sql = ListenStatement(self->channel_);
            auto listening = co_await conn.value()->RunPipeline(listen, Clock::now() + kConnectTimeout);
            if (listening) {
              logging::Info("listen_started", {{"channel", self->channel_}});
              backoff = std::chrono::seconds{1};
              if (self->on_listening_) self->on_listening_();
              while (!self->stopped_) {
                auto st = co_await conn.value()->AwaitInput(Clock::now() + kWakeInterval);
                if (!st && st.error().kind != ErrorKind::kTimeout) break;  // dropped: reconnect
                for (auto& [channel, payload] : conn.value()->TakeNotifications()) self->on_notify_(payload);
              }
            }
          }
          if (self->stopped_) break;
          logging::Warn("listen_lost", {{"channel", self->channel_}, {"retry_in_s", backoff.count()}});
          pause.expires_after(backoff);
          co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
          backoff = std::min(backoff * 2, kMaxBackoff);
        }
      },
      asio::detached);
}

}  // namespace pgmcp::database
