// SessionRegistry: the session-era MCP sessions of the HTTP transport, by Mcp-Session-Id. Routes
// each session's outgoing messages to the POST awaiting them or to its SSE stream. Event-loop only.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "protocol/session.h"

namespace pgmcp::http {

// A reply a POST handler waits for; the session's sink fills it and wakes the handler.
struct PendingReply {
  explicit PendingReply(boost::asio::any_io_executor ex) : wake(std::move(ex)) {}
  std::optional<std::string> text;
  boost::asio::steady_timer wake;
};

// One open GET event stream of a session.
struct EventStream {
  explicit EventStream(boost::asio::any_io_executor ex) : ready(std::move(ex)) {}
  boost::asio::steady_timer ready;  // cancelled when there is something to send or the stream must end
  bool superseded = false;          // ended to make room for a newer stream of its session
};

// A session may hold several GET streams (MCP Streamable HTTP, "multiple connections"): a client
// that opens a new one before noticing its old one died is not refused. Beyond this many, the
// oldest is ended (docs/decisions.md, "Several event streams per session").
inline constexpr size_t kMaxStreamsPerSession = 4;

struct HttpSession {
  std::string id;
  std::string owner;  // role + subject of the token that created it; other callers get 404
  std::shared_ptr<protocol::Session> session;
  std::map<std::string, std::shared_ptr<PendingReply>> pending;  // by request id key
  std::deque<std::string> events;  // server-to-client messages for the SSE streams (bounded)
  // The open GET streams, oldest first. Each message goes to one stream only, the newest.
  std::vector<std::shared_ptr<EventStream>> streams;
  std::chrono::steady_clock::time_point last_used;
  bool closed = false;
};

// Wakes every open stream of `s`: the session is closing or the server stopping.
void WakeEventStreams(HttpSession& s);

// Ends the POST waiting for the reply to `key`, with no reply: its request was cancelled, its
// session deleted, or its client went away.
void EndPending(HttpSession& s, const std::string& key);

class SessionRegistry {
 public:
  SessionRegistry(boost::asio::any_io_executor executor, std::shared_ptr<protocol::Backend> backend,
                  protocol::SessionOptions defaults, size_t max_sessions, size_t max_sessions_per_owner,
                  std::string replica_id = "");

  // A new session; nullptr when the caller's owner already has max_sessions_per_owner open or
  // max_sessions are open in all (no one else's session is evicted to make room); kInternal when
  // no id could be drawn.
  Result<std::shared_ptr<HttpSession>> Create(const protocol::CallContext& context);
  std::shared_ptr<HttpSession> Find(const std::string& id, const std::string& owner);
  bool Remove(const std::string& id, const std::string& owner);
  // Drops sessions idle for longer than `idle` with nothing in flight.
  size_t Expire(std::chrono::steady_clock::duration idle);
  // Sends `method` to every session whose caller `affected` names (e.g. whose tool list changed).
  void NotifyAll(std::string_view method, const std::function<bool(const protocol::CallContext&)>& affected);
  void WakeStreams();
  void CloseAll();
  size_t size() const { return sessions_.size(); }
  size_t in_flight() const;

  // The token's role and sub, or its claims' digest when it has no sub (auth::Identity).
  static std::string Owner(const protocol::CallContext& context) {
    return context.role + "\n" + context.subject + "\n" + context.claims_digest;
  }

 private:
  static void Deliver(HttpSession& s, protocol::Outgoing message);

  boost::asio::any_io_executor executor_;
  std::shared_ptr<protocol::Backend> backend_;
  protocol::SessionOptions defaults_;
  void Erase(std::map<std::string, std::shared_ptr<HttpSession>>::iterator it);

  size_t max_sessions_;
  size_t max_sessions_per_owner_;
  std::string id_prefix_;  // "<replica_id>-", or empty
  std::map<std::string, std::shared_ptr<HttpSession>> sessions_;
  std::map<std::string, size_t> per_owner_;  // open sessions by owner
};

}  // namespace pgmcp::http
