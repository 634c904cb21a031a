#include "http/session_registry.h"

#include "common/random.h"

namespace pgmcp::http {

namespace {
// Server-to-client messages kept for a session without an open stream, or a slow one.
constexpr size_t kMaxQueuedEvents = 64;
}  // namespace

SessionRegistry::SessionRegistry(boost::asio::any_io_executor executor, std::shared_ptr<protocol::Backend> backend,
                                 protocol::SessionOptions defaults, size_t max_sessions, size_t max_sessions_per_owner,
                                 std::string replica_id)
    : executor_(std::move(executor)), backend_(std::move(backend)), defaults_(std::move(defaults)),
      max_sessions_(max_sessions), max_sessions_per_owner_(max_sessions_per_owner),
      id_prefix_(replica_id.empty() ? "" : replica_id + "-") {}

Result<std::shared_ptr<HttpSession>> SessionRegistry::Create(const protocol::CallContext& context) {
  // Full means refused: evicting idle sessions here would let one token holder close everyone
  // else's. Idle sessions go only by session_idle_timeout (Expire).
  if (sessions_.size() >= max_sessions_) return std::shared_ptr<HttpSession>();
  if (auto it = per_owner_.find(Owner(context)); it != per_owner_.end() && it->second >= max_sessions_per_owner_) {
    return std::shared_ptr<HttpSession>();
  }
  auto id = RandomHex128();
  if (!id) return id.error();
  auto s = std::make_shared<HttpSession>();
  // The replica's tag lets a proxy send every request of the session here (deploy/nginx.conf).
  s->id = id_prefix_ + *id;
  s->owner = Owner(context);
  s->last_used = std::chrono::steady_clock::now();
  protocol::SessionOptions options = defaults_;
  options.context = context;
  options.context.session_id = s->id;
  std::weak_ptr<HttpSession> weak = s;
  s->session = protocol::Session::Create(executor_, backend_, options, [weak](protocol::Outgoing message) {
    if (auto alive = weak.lock()) Deliver(*alive, std::move(message));
  });
  sessions_[s->id] = s;
  ++per_owner_[s->owner];
  return s;
}

void WakeEventStreams(HttpSession& s) {
  for (auto& stream : s.streams) stream->ready.cancel();
}

void EndPending(HttpSession& s, const std::string& key) {
  auto it = s.pending.find(key);
  if (it == s.pending.end()) return;
  it->second->wake.cancel();
  s.pending.erase(it);
}

void SessionRegistry::Deliver(HttpSession& s, protocol::Outgoing message) {
  if (message.reply_to) {
    auto it = s.pending.find(*message.reply_to);
    if (it == s.pending.end()) return;  // its POST is gone (client disconnected): nobody to tell
    it->second->text = std::move(message.text);
    it->second->wake.cancel();
    s.pending.erase(it);
    return;
  }
  if (s.events.size() >= kMaxQueuedEvents) s.events.pop_front();
  s.events.push_back(std::move(message.text));
  if (!s.streams.empty()) s.streams.back()->ready.cancel();  // only the newest stream sends events
}

std::shared_ptr<HttpSession> SessionRegistry::Find(const std::string& id, const std::string& owner) {
  auto it = sessions_.find(id);
  // Another caller's session is reported as unknown: its existence is not theirs to learn.
  if (it == sessions_.end() || it->second->owner != owner) return nullptr;
  it->second->last_used = std::chrono::steady_clock::now();
  return it->second;
}

bool SessionRegistry::Remove(const std::string& id, const std::string& owner) {
  auto s = Find(id, owner);
  if (!s) return false;
  s->closed = true;
  s->session->CancelAll();
  // The POSTs waiting for replies end now: the calls were cancelled and will never answer.
  for (auto& [key, pending] : s->pending) pending->wake.cancel();
  s->pending.clear();
  WakeEventStreams(*s);
  Erase(sessions_.find(id));
  return true;
}

void SessionRegistry::Erase(std::map<std::string, std::shared_ptr<HttpSession>>::iterator it) {
  auto owner = per_owner_.find(it->second->owner);
  if (owner != per_owner_.end() && --owner->second == 0) per_owner_.erase(owner);
  sessions_.erase(it);
}

size_t SessionRegistry::Expire(std::chrono::steady_clock::duration idle) {
  auto now = std::chrono::steady_clock::now();
  size_t removed = 0;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    auto& s = it->second;
    if (now - s->last_used > idle && s->session->in_flight() == 0 && s->streams.empty()) {
      s->closed = true;
      Erase(it++);
      ++removed;
    } else {
      ++it;
    }
  }
  return removed;
}

void SessionRegistry::NotifyAll(std::string_view method,
                                const std::function<bool(const protocol::CallContext&)>& affected) {
  for (auto& [id, s] : sessions_) {
    if (affected(s->session->context())) s->session->Notify(method);
  }
}

void SessionRegistry::WakeStreams() {
  for (auto& [id, s] : sessions_) WakeEventStreams(*s);
}

void SessionRegistry::CloseAll() {
  for (auto& [id, s] : sessions_) {
    s->closed = true;
    s->session->CancelAll();
    for (auto& [key, pending] : s->pending) pending->wake.cancel();
    WakeEventStreams(*s);
  }
  sessions_.clear();
  per_owner_.clear();
}

size_t SessionRegistry::in_flight() const {
  size_t n = 0;
  for (const auto& [id, s] : sessions_) n += s->session->in_flight();
  return n;
}

}  // namespace pgmcp::http
