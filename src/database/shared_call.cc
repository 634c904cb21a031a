#include "database/shared_call.h"


namespace pgmcp::database {
namespace asio = boost::asio;

bool WatchedSink::Add(const Rows& rows, int row) {
  if (sink_ == nullptr) return false;  // abandoned: the rest are read and dropped
  ++delivered_;
  return sink_->Add(rows, row);
}

void SharedRoundTrip::GaveUp() {
  for (const auto& call : calls) {
    if (!call->finished() && !call->sink().detached()) return;  // someone still waits for an answer
  }
  stop.emit(boost::asio::cancellation_type::terminal);
}

SharedCall::SharedCall(asio::any_io_executor executor, std::vector<Statement> statements, size_t streamed,
                       RowSink& sink, Clock::duration budget, Deadline wait_until)
    : statements_(std::move(statements)),
      sink_(sink),
      pipelined_{&statements_, streamed, &sink_, OkStatus()},
      budget_(budget),
      woken_(std::move(executor), wait_until) {}

void SharedCall::Finish() {
  finished_ = true;
  round_trip = nullptr;
  woken_.cancel();
}

Status SharedCall::Outcome(bool cancelled) {
  if (finished_) return pipelined_.result;
  // Given up: the round trip still reads this call's answer, but no row reaches the caller,
  // whose sink may be gone by then.
  sink_.Detach();
  if (round_trip != nullptr) round_trip->GaveUp();
  if (cancelled) return MakeError(ErrorKind::kCancelled, "The call was cancelled.");
  return MakeError(ErrorKind::kTimeout, "The database did not answer in time.");
}

}  // namespace pgmcp::database
