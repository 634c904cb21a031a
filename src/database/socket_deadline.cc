#include "database/socket_deadline.h"

#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>

namespace pgmcp::database {
namespace asio = boost::asio;

struct SocketDeadline::State {
  State(asio::any_io_executor executor, asio::posix::stream_descriptor& s) : timer(std::move(executor)), socket(&s) {}

  asio::steady_timer timer;
  asio::posix::stream_descriptor* socket;
  Deadline deadline = Deadline::max();  // of the wait in progress; max: none
  bool expired = false;                 // the wait in progress was cancelled by its deadline
};

namespace {

void Arm(const std::shared_ptr<SocketDeadline::State>& state);

void OnTimer(const std::weak_ptr<SocketDeadline::State>& weak, const boost::system::error_code& ec) {
  if (ec == asio::error::operation_aborted) return;  // the wait ended first, or we are gone
  auto state = weak.lock();
  if (!state || state->deadline == Deadline::max()) return;
  // An earlier wait's expiry that fired just as that wait ended: this wait has its own deadline.
  if (Clock::now() < state->deadline) {
    Arm(state);
    return;
  }
  state->expired = true;
  boost::system::error_code ignored;
  state->socket->cancel(ignored);
}

void Arm(const std::shared_ptr<SocketDeadline::State>& state) {
  state->timer.expires_at(state->deadline);
  state->timer.async_wait(
      [weak = std::weak_ptr<SocketDeadline::State>(state)](const boost::system::error_code& ec) { OnTimer(weak, ec); });
}

}  // namespace

SocketDeadline::SocketDeadline(asio::any_io_executor executor, asio::posix::stream_descriptor& socket)
    : state_(std::make_shared<State>(std::move(executor), socket)) {}

SocketDeadline::~SocketDeadline() = default;  // the timer's destruction cancels its wait

void SocketDeadline::Begin(Deadline deadline) {
  state_->deadline = deadline;
  state_->expired = false;
  Arm(state_);
}

bool SocketDeadline::End() {
  state_->deadline = Deadline::max();
  state_->timer.cancel();
  return state_->expired;
}

}  // namespace pgmcp::database
