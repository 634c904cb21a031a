#include "database/connection.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <optional>
#include <poll.h>
#include <tuple>
#include <variant>

#include "database/answer_peek.h"
#include "database/host_lookup.h"
#include "database/pg_handles.h"
#include "common/error_kinds.h"
#include "logging/log.h"
#include "logging/log_limiter.h"

namespace pgmcp::database {
namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// When the database goes away every pooled connection breaks at once: one warning a second says
// so (with how many were held back), the rest go to debug (docs/reference.md, Logs).
logging::LogLimiter& BrokenLogLimiter() {
  static logging::LogLimiter limiter(std::chrono::seconds(1));
  return limiter;
}

}  // namespace

Connection::Connection(asio::any_io_executor executor, PgConnPtr conn)
    : conn_(std::move(conn)), socket_(executor), socket_deadline_(std::move(executor), socket_) {}

Connection::~Connection() {
  // libpq owns the socket: detach it from Asio before conn_ (destroyed after this body) closes it.
  if (socket_.is_open()) socket_.release();
}

void Connection::AttachSocket() {
  if (socket_.is_open()) socket_.release();
  int fd = PQsocket(conn_.get());
  if (fd >= 0) {
    boost::system::error_code ec;
    socket_.assign(fd, ec);
    if (ec) state_ = ConnectionState::kBroken;
  }
}

// A broken connection is never waited on again. libpq may already have closed its socket (end of
// stream, failed connect): Asio must forget the descriptor now, before the number is reused. Were
// it released later (when the Connection dies, e.g. after the LISTEN connection's backoff pause),
// Asio would unregister whatever socket got that number meanwhile (an HTTP client's), and that
// socket would never be read again.
void Connection::ForgetSocket() {
  if (socket_.is_open()) socket_.release();
}

Error Connection::Fail(ErrorKind kind, std::string log_reason) {
  state_ = ConnectionState::kBroken;
  ForgetSocket();
  if (kind == ErrorKind::kCancelled) {
    logging::Debug("db_connection_broken", {{"reason", log_reason}});
    return MakeError(kind, "The call was cancelled.");
  }
  int64_t suppressed = 0;
  if (BrokenLogLimiter().Admit(Clock::now(), suppressed)) {
    logging::Warn("db_connection_broken", {{"reason", log_reason}, {"suppressed", suppressed}});
  } else {
    logging::Debug("db_connection_broken", {{"reason", log_reason}});
  }
  if (kind == ErrorKind::kTimeout) {
    return MakeError(kind, "The database did not answer in time.");
  }
  // The same sentence as a refused connect (docs/reference.md, Errors): to the caller both mean
  // "the database cannot serve this call now; try again".
  return MakeError(kind, std::string(Describe(ErrorKind::kUnavailable).client_sentence));
}

Error Connection::FailConnect(ErrorKind kind, std::string reason) {
  state_ = ConnectionState::kBroken;
  ForgetSocket();
  if (kind == ErrorKind::kTimeout) kind = ErrorKind::kUnavailable;  // the connect deadline: not reachable in time
  // The pool reports an outage once (db_unreachable, database/connect_breaker.h); each attempt is debug.
  logging::Debug("db_connect_failed", {{"reason", reason}});
  if (kind == ErrorKind::kCancelled) return MakeError(kind, "The call was cancelled.", std::move(reason));
  return MakeError(kind, std::string(Describe(kind).client_sentence), std::move(reason));
}

asio::awaitable<Status> Connection::WaitSocket(Wait what, Deadline deadline) {
  if (!socket_.is_open()) co_return MakeError(ErrorKind::kUnavailable, "no socket");
  using WT = asio::posix::stream_descriptor::wait_type;
  boost::system::error_code ec;
  // The connection's one timer cancels the wait at the deadline (database/socket_deadline.h).
  socket_deadline_.Begin(deadline);
  if (what == Wait::kReadOrWrite) {
    auto r = co_await (socket_.async_wait(WT::wait_read, kTuple) || socket_.async_wait(WT::wait_write, kTuple));
    std::visit([&ec](const auto& done) { std::tie(ec) = done; }, r);
  } else {
    std::tie(ec) = co_await socket_.async_wait(what == Wait::kRead ? WT::wait_read : WT::wait_write, kTuple);
  }
  const bool timed_out = socket_deadline_.End();
  // A cancelled coroutine sees its waits end early (operation_aborted): that is the client giving
  // up on the call, neither a deadline nor a network failure.
  // (Read inline: co_await of another awaitable would throw once the coroutine is cancelled.)
  auto cancellation = co_await asio::this_coro::cancellation_state;
  if (cancellation.cancelled() != asio::cancellation_type::none) {
    co_return MakeError(ErrorKind::kCancelled, "cancelled by the caller");
  }
  if (timed_out) co_return MakeError(ErrorKind::kTimeout, "deadline");
  if (ec) co_return MakeError(ErrorKind::kUnavailable, ec.message());
  co_return OkStatus();
}

asio::awaitable<Result<std::unique_ptr<Connection>>> Connection::Connect(std::string dsn, Deadline deadline,
                                                                           size_t first_host) {
  auto executor = co_await asio::this_coro::executor;
  std::unique_ptr<Connection> c(new Connection(executor, nullptr));
  // libpq would look host names up inside PQconnectStartParams/PQconnectPoll, blocking the loop:
  // they are resolved first, off the loop, and libpq gets the addresses (docs/security.md).
  // Named first: g++ 12 destroys temporaries of a co_await full-expression twice.
  auto resolve = ResolveHostNames(std::move(dsn), deadline, first_host);
  auto params = co_await std::move(resolve);
  if (!params) {
    co_return c->FailConnect(params.error().kind, "connect: " + params.error().message);
  }
  c->conn_ = StartConnect(*params);
  PGconn* raw = c->conn_.get();
  if (raw == nullptr || PQstatus(raw) == CONNECTION_BAD) {
    co_return c->FailConnect(ErrorKind::kUnavailable, ConnectionErrorText(raw));
  }
  PostgresPollingStatusType poll = PGRES_POLLING_WRITING;
  while (poll != PGRES_POLLING_OK) {
    if (poll == PGRES_POLLING_FAILED) co_return c->FailConnect(ErrorKind::kUnavailable, ConnectionErrorText(raw));
    // libpq may switch sockets between polls (multi-host DSNs, SSL retries): attach the current one.
    c->AttachSocket();
    auto st = co_await c->WaitSocket(poll == PGRES_POLLING_READING ? Wait::kRead : Wait::kWrite, deadline);
    if (!st) {
      co_return c->FailConnect(st.error().kind, "connect: " + st.error().message);
    }
    poll = PQconnectPoll(raw);
  }
  c->AttachSocket();
  SilenceNotices(raw);
  if (PQsetnonblocking(raw, 1) != 0) co_return c->FailConnect(ErrorKind::kUnavailable, ConnectionErrorText(raw));
  c->cancel_ = std::shared_ptr<PGcancel>(PQgetCancel(raw), PgCancelDeleter{});
  if (c->state_ == ConnectionState::kConnecting) c->state_ = ConnectionState::kIdle;
  co_return std::move(c);
}

asio::awaitable<Status> Connection::Flush(int flushed, Deadline deadline) {
  for (int r = flushed;; r = PQflush(conn_.get())) {
    if (r == 0) co_return OkStatus();
    if (r < 0) co_return Fail(ErrorKind::kUnavailable, ConnectionErrorText(conn_.get()));
    // Output is blocked: the server may be waiting for us to read, so wait for either direction.
    auto st = co_await WaitSocket(Wait::kReadOrWrite, deadline);
    if (!st) co_return Fail(st.error().kind, "flush: " + st.error().message);
    answer_read_ = true;
    if (PQconsumeInput(conn_.get()) == 0) co_return Fail(ErrorKind::kUnavailable, ConnectionErrorText(conn_.get()));
  }
}

void Connection::UsePreparedStatements(size_t capacity, std::shared_ptr<StatementCacheCounts> counts) {
  if (capacity == 0) {
    prepared_.reset();
  } else if (!prepared_) {
    prepared_ = std::make_unique<StatementCache>(capacity, std::move(counts));
  }
}

// Sends `statements` in one pipeline. With a statement cache, DEALLOCATEs of evicted statements
// go first, then each statement as a named one, its Parse just before its first execution on
// this connection: still one round trip. Without `may_prepare` (a call after the first of a
// shared round trip) nothing is deallocated or prepared: a statement goes by name only when an
// earlier round trip settled its Parse, else unnamed. slots_ records what each result will answer.
Status Connection::Send(const std::vector<Statement>& statements, bool may_prepare) {
  PGconn* conn = conn_.get();
  if (PQenterPipelineMode(conn) != 1) return Fail(ErrorKind::kInternal, ConnectionErrorText(conn));
  slots_.clear();
  if (prepared_ && may_prepare) {
    for (auto& name : prepared_->TakeEvicted()) {
      // The name is StatementName's "pgmcp_" and hex digits: a plain identifier.
      const std::string deallocate = "DEALLOCATE " + name;
      slots_.push_back(PipelineSlot{PipelineSlot::Kind::kDeallocate, 0, std::move(name)});
      if (PQsendQueryParams(conn, deallocate.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0) != 1) {
        return Fail(ErrorKind::kUnavailable, ConnectionErrorText(conn));
      }
    }
  }
  std::vector<const char*>& values = param_values_;
  for (size_t i = 0; i < statements.size(); ++i) {
    const Statement& s = statements[i];
    values.clear();
    for (const auto& p : s.params) values.push_back(p ? p->c_str() : nullptr);
    const int n = static_cast<int>(values.size());
    int sent = 0;
    const std::string* settled = prepared_ && s.named && !may_prepare ? prepared_->SettledName(s.sql) : nullptr;
    if (settled != nullptr) {
      sent = PQsendQueryPrepared(conn, settled->c_str(), n, values.data(), nullptr, nullptr, 0);
    } else if (prepared_ && s.named && may_prepare) {
      auto use = prepared_->Lookup(s.sql);
      if (use.prepare) {
        slots_.push_back(PipelineSlot{PipelineSlot::Kind::kPrepare, i, {}});
        if (PQsendPrepare(conn, use.name.c_str(), s.sql.c_str(), n, nullptr) != 1) {
          return Fail(ErrorKind::kUnavailable, ConnectionErrorText(conn));
        }
      }
      sent = PQsendQueryPrepared(conn, use.name.c_str(), n, values.data(), nullptr, nullptr, 0);
    } else {
      sent = PQsendQueryParams(conn, s.sql.c_str(), n, nullptr, values.data(), nullptr, nullptr, 0);
    }
    if (sent != 1) return Fail(ErrorKind::kUnavailable, ConnectionErrorText(conn));
    slots_.push_back(PipelineSlot{PipelineSlot::Kind::kStatement, i, {}});
  }
  if (PQpipelineSync(conn) != 1) return Fail(ErrorKind::kUnavailable, ConnectionErrorText(conn));
  return OkStatus();
}

// Tells the cache how its Parses and DEALLOCATEs ended: every slot before the failed one
// succeeded, the ones after it were skipped by the server. A Parse that failed with
// duplicate_prepared_statement (42P05) found the name prepared already, which by StatementName
// means the same SQL: it counts as prepared.
void Connection::SettlePreparedStatements(const std::vector<Statement>& statements,
                                          const std::optional<Error>& failure) {
  if (!prepared_) return;
  for (size_t i = 0; i < slots_.size(); ++i) {
    PipelineSlot& slot = slots_[i];
    const bool ran = !failure || i < failed_slot_;
    const bool failed_here = failure && i == failed_slot_;
    if (slot.kind == PipelineSlot::Kind::kPrepare) {
      prepared_->Prepared(statements[slot.statement].sql, ran || (failed_here && failure->code == "42P05"));
    } else if (slot.kind == PipelineSlot::Kind::kDeallocate) {
      prepared_->Deallocated(std::move(slot.name), ran || failed_here);  // failed: it was not there
    }
  }
}

// Reads the input that a wait for it (`waited`, WaitSocket's answer) found. With `whole`, first
// says there how many of the server's answers to the pipelines sent (one per Sync) had arrived
// whole, in at most kWholeAnswerBytes (database/answer_peek.h): for the first read of a round
// trip only, while the socket still starts at its first message. (Not a coroutine: one frame
// fewer per read.)
Status Connection::ReadInput(const Status& waited, size_t* whole) {
  if (!waited) return Fail(waited.error().kind, "read: " + waited.error().message);
  if (whole != nullptr) *whole = WholeAnswersArrived(PQsocket(conn_.get()));
  answer_read_ = true;
  if (PQconsumeInput(conn_.get()) == 0) return Fail(ErrorKind::kUnavailable, ConnectionErrorText(conn_.get()));
  return OkStatus();
}

// Reads every result up to the pipeline's Sync into `results` (one per slot of slots_), the rows
// of slot `stream.statement` into `stream.sink` instead. Returns the first statement's error, if
// any, once the Sync is read (failed_slot_ says whose); a failure of the connection itself (the
// state is then kBroken) as soon as it happens.
asio::awaitable<Status> Connection::ReadUntilSync(std::vector<Rows>& results, Stream stream, Deadline deadline) {
  std::optional<Error> first_error;
  size_t index = 0;
  bool wants_rows = true;
  // Small answers that arrived whole are read whole; any other has the streamed statement read in
  // libpq's single-row mode, one row held at a time (docs/security.md, "Bounded memory").
  // (Encrypted, the socket's bytes say nothing; once libpq has read some, they start mid-answer:
  // the first read of a round trip counts the answers that arrived whole, this one's and those
  // of the calls after it in a shared round trip, and each answer read uses up one.)
  PGconn* conn = conn_.get();
  if (stream.sink != nullptr && !answer_read_ && PQsslInUse(conn) != 1 && PQgssEncInUse(conn) != 1) {
    auto waited = co_await WaitSocket(Wait::kRead, deadline);
    if (auto st = ReadInput(waited, &whole_answers_); !st) co_return st;
  }
  const bool read_whole = whole_answers_ > 0;
  if (read_whole) --whole_answers_;
  // libpq's single-row mode applies to the statement whose results come next, and only before
  // any of them is parsed: set at the start of that statement (PQisBusy parses input).
  bool row_mode_set = false;
  while (true) {
    if (stream.sink != nullptr && index == stream.statement && !row_mode_set) {
      row_mode_set = true;
      // Refused only when the statement was skipped: no rows then.
      if (!read_whole) PQsetSingleRowMode(conn_.get());
    }
    while (PQisBusy(conn_.get()) == 1) {
      auto waited = co_await WaitSocket(Wait::kRead, deadline);
      if (auto st = ReadInput(waited); !st) co_return st;
    }
    PgResultPtr r(PQgetResult(conn_.get()));
    if (!r) {  // end of one statement's results
      ++index;
      continue;
    }
    switch (PQresultStatus(r.get())) {
      case PGRES_PIPELINE_SYNC:
        if (first_error) co_return *first_error;
        co_return OkStatus();
      case PGRES_PIPELINE_ABORTED:
        break;  // skipped because an earlier statement failed
      case PGRES_FATAL_ERROR:
        if (!first_error) {
          first_error = ErrorFromResult(r.get());
          failed_slot_ = index;
        }
        break;
      case PGRES_SINGLE_TUPLE:
      case PGRES_COMMAND_OK:
      case PGRES_TUPLES_OK:
        if (stream.sink != nullptr && index == stream.statement) {
          // One row of the streamed statement, then an empty TUPLES_OK that ends it (or all of
          // its rows at once, had single-row mode been refused). Once the sink is full, the
          // rest are dropped here as they arrive.
          const Rows rows = RowsFromResult(std::move(r));
          for (int i = 0; wants_rows && i < rows.row_count(); ++i) wants_rows = stream.sink->Add(rows, i);
        } else if (index < results.size()) {
          results[index] = RowsFromResult(std::move(r));
        }
        break;
      default:
        if (!first_error) first_error = MakeError(ErrorKind::kInternal, "The database sent an unexpected answer.");
        break;
    }
  }
}

asio::awaitable<Result<std::vector<Rows>>> Connection::RunPipeline(const std::vector<Statement>& statements,
                                                                    Deadline deadline) {
  return Run(statements, Stream{}, deadline);
}

asio::awaitable<Result<std::vector<Rows>>> Connection::RunPipeline(const std::vector<Statement>& statements,
                                                                    size_t streamed, RowSink& sink,
                                                                    Deadline deadline) {
  return Run(statements, Stream{streamed, &sink}, deadline);
}

asio::awaitable<Result<std::vector<Rows>>> Connection::Run(const std::vector<Statement>& statements, Stream stream,
                                                            Deadline deadline) {
  if (state_ == ConnectionState::kBroken || PQstatus(conn_.get()) != CONNECTION_OK) {
    co_return Fail(ErrorKind::kUnavailable, "not connected");
  }
  answer_read_ = false;
  whole_answers_ = 0;
  if (auto sent = Send(statements); !sent) co_return sent.error();
  // Mostly sent at once: Flush's coroutine (and its frame) only for the rest of a larger pipeline.
  if (const int flushed = PQflush(conn_.get()); flushed != 0) {
    if (auto st = co_await Flush(flushed, deadline); !st) co_return st.error();
  }
  // A streamed run returns no rows: nobody reads the other statements' results (the settings...),
  // so none is kept.
  std::vector<Rows> results(stream.sink != nullptr ? 0 : slots_.size());
  if (stream.sink != nullptr) stream.statement = SlotOf(stream.statement);
  auto read = co_await ReadUntilSync(results, stream, deadline);
  if (state_ == ConnectionState::kBroken) co_return read.error();
  if (PQexitPipelineMode(conn_.get()) != 1) co_return Fail(ErrorKind::kInternal, ConnectionErrorText(conn_.get()));
  SettlePreparedStatements(statements, read ? std::nullopt : std::optional<Error>(read.error()));
  if (!read) co_return read.error();
  if (stream.sink != nullptr || slots_.size() == statements.size()) co_return std::move(results);  // nothing to map
  std::vector<Rows> out(statements.size());
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].kind == PipelineSlot::Kind::kStatement) out[slots_[i].statement] = std::move(results[i]);
  }
  co_return std::move(out);
}

// The streamed statement's slot: Parses and DEALLOCATEs come first.
size_t Connection::SlotOf(size_t statement) const {
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].kind == PipelineSlot::Kind::kStatement && slots_[i].statement == statement) return i;
  }
  return slots_.size();
}

asio::awaitable<Status> Connection::RunCalls(std::span<PipelinedCall* const> calls, Deadline deadline,
                                             std::function<void(size_t)> finished) {
  size_t done = 0;
  // Every call not finished yet gets the connection's failure.
  auto fail_rest = [&](const Status& failure) {
    for (; done < calls.size(); ++done) {
      calls[done]->result = failure;
      finished(done);
    }
    return failure;
  };
  if (state_ == ConnectionState::kBroken || PQstatus(conn_.get()) != CONNECTION_OK) {
    co_return fail_rest(Fail(ErrorKind::kUnavailable, "not connected"));
  }
  answer_read_ = false;
  whole_answers_ = 0;
  std::vector<std::vector<PipelineSlot>> call_slots(calls.size());
  for (size_t i = 0; i < calls.size(); ++i) {
    if (auto sent = Send(*calls[i]->statements, /*may_prepare=*/i == 0); !sent) co_return fail_rest(sent);
    call_slots[i] = std::move(slots_);
  }
  if (const int flushed = PQflush(conn_.get()); flushed != 0) {
    if (auto st = co_await Flush(flushed, deadline); !st) co_return fail_rest(st);
  }
  std::vector<Rows> unkept;  // streamed runs keep no statement's rows
  for (; done < calls.size(); ++done) {
    PipelinedCall& call = *calls[done];
    slots_ = std::move(call_slots[done]);
    auto read = co_await ReadUntilSync(unkept, Stream{SlotOf(call.streamed), call.sink}, deadline);
    if (state_ == ConnectionState::kBroken) co_return fail_rest(read);
    SettlePreparedStatements(*call.statements, read ? std::nullopt : std::optional<Error>(read.error()));
    call.result = std::move(read);
    finished(done);
  }
  if (PQexitPipelineMode(conn_.get()) != 1) co_return Fail(ErrorKind::kInternal, ConnectionErrorText(conn_.get()));
  co_return OkStatus();
}

asio::awaitable<Status> Connection::AwaitInput(Deadline deadline) {
  if (state_ == ConnectionState::kBroken || PQstatus(conn_.get()) != CONNECTION_OK) {
    co_return Fail(ErrorKind::kUnavailable, "not connected");
  }
  auto st = co_await WaitSocket(Wait::kRead, deadline);
  if (!st) {
    if (st.error().kind == ErrorKind::kTimeout) co_return st;
    co_return Fail(st.error().kind, "listen: " + st.error().message);
  }
  if (PQconsumeInput(conn_.get()) == 0) co_return Fail(ErrorKind::kUnavailable, ConnectionErrorText(conn_.get()));
  co_return OkStatus();
}

std::vector<std::pair<std::string, std::string>> Connection::TakeNotifications() {
  std::vector<std::pair<std::string, std::string>> out;
  while (PGnotify* n = PQnotifies(conn_.get())) {
    out.emplace_back(n->relname, n->extra != nullptr ? n->extra : "");
    PQfreemem(n);
  }
  return out;
}

bool Connection::IsIdle() const {
  return state_ != ConnectionState::kBroken && PQstatus(conn_.get()) == CONNECTION_OK &&
         PQtransactionStatus(conn_.get()) == PQTRANS_IDLE && PQpipelineStatus(conn_.get()) == PQ_PIPELINE_OFF;
}

bool Connection::StillConnected() {
  // An idle connection has nothing to read: input means the server said goodbye (a FATAL sent by
  // a shutdown or pg_terminate_backend) and closed, which libpq notices only once it reads. A few
  // rounds: the goodbye and the end of the stream may arrive apart.
  for (int round = 0; round < 4 && IsIdle(); ++round) {
    pollfd p{PQsocket(conn_.get()), POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) return true;
    if (PQconsumeInput(conn_.get()) == 0) {
      state_ = ConnectionState::kBroken;
      ForgetSocket();
    }
  }
  return IsIdle();
}

std::optional<std::string> Connection::SessionAuthorization() const {
  const char* role = PQparameterStatus(conn_.get(), "session_authorization");
  if (role == nullptr) return std::nullopt;
  return std::string(role);
}

bool Connection::InTransaction() const {
  return state_ != ConnectionState::kBroken && PQstatus(conn_.get()) == CONNECTION_OK &&
         PQtransactionStatus(conn_.get()) != PQTRANS_IDLE;
}

std::function<void()> Connection::CancelRequest() const {
  if (!cancel_) return {};
  return [cancel = cancel_] {
    char err[256];
    PQcancel(cancel.get(), err, sizeof err);
  };
}

}  // namespace pgmcp::database
