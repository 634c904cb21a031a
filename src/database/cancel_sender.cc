#include "database/cancel_sender.h"

#include <system_error>
#include <thread>

namespace pgmcp::database {

CancelSender::CancelSender(int max_in_flight)
    : max_in_flight_(max_in_flight), in_flight_(std::make_shared<std::atomic<int>>(0)) {}

bool CancelSender::Send(std::function<void()> cancel) {
  if (in_flight_->fetch_add(1) >= max_in_flight_) {
    in_flight_->fetch_sub(1);
    return false;
  }
  try {
    std::thread([cancel = std::move(cancel), in_flight = in_flight_] {
      cancel();
      in_flight->fetch_sub(1);
    }).detach();
  } catch (const std::system_error&) {  // no thread to be had: the statement_timeout ends it
    in_flight_->fetch_sub(1);
    return false;
  }
  return true;
}

}  // namespace pgmcp::database
