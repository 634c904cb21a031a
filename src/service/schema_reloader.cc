#include "service/schema_reloader.h"

#include <boost/asio/post.hpp>
#include <mutex>
#include <thread>

#include "logging/log.h"
#include "schema/introspect.h"
#include "security/audit.h"
#include "service/startup.h"

namespace pgmcp::service {
namespace asio = boost::asio;

std::shared_ptr<SchemaReloader> SchemaReloader::Create(asio::io_context& io, std::shared_ptr<ToolService> tools,
                                                       Hooks hooks) {
  return std::shared_ptr<SchemaReloader>(new SchemaReloader(io, std::move(tools), std::move(hooks)));
}

struct SchemaReloader::Handoff {
  std::mutex mutex;
  asio::io_context* io = nullptr;  // null once stopped: a reload that ends then posts nothing

  // Runs `finish` on the loop, unless the reloader stopped; from a reload's thread.
  template <typename F>
  void Post(F finish) {
    std::lock_guard<std::mutex> lock(mutex);
    if (io != nullptr) asio::post(*io, std::move(finish));
  }
  void Forget() {
    std::lock_guard<std::mutex> lock(mutex);
    io = nullptr;
  }
};

SchemaReloader::SchemaReloader(asio::io_context& io, std::shared_ptr<ToolService> tools, Hooks hooks)
    : io_(io),
      tools_(std::move(tools)),
      hooks_(std::move(hooks)),
      handoff_(std::make_shared<Handoff>()),
      notify_timer_(io) {
  handoff_->io = &io_;
}

// The io_context outlives this object, but a reload's thread may outlive both: after Forget it
// never touches the loop.
SchemaReloader::~SchemaReloader() { Stop(); }

void SchemaReloader::Stop() {
  stopped_ = true;
  notify_timer_.cancel();
  handoff_->Forget();
}

void SchemaReloader::Request(std::string reason, bool force) {
  if (stopped_) return;
  pending_ = true;
  pending_force_ = pending_force_ || force;
  pending_reason_ = pending_reason_.empty() ? reason : pending_reason_ + "," + reason;
  if (!running_) StartNext();
}

void SchemaReloader::RequestFromNotify() {
  if (stopped_ || notify_due_) return;  // folded into the reload already due
  const auto now = std::chrono::steady_clock::now();
  if (!last_notify_ || now - *last_notify_ >= kNotifyInterval) {
    last_notify_ = now;
    Request("notify", true);
    return;
  }
  notify_due_ = true;
  notify_timer_.expires_at(*last_notify_ + kNotifyInterval);
  notify_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (ec || !self || self->stopped_) return;
    self->notify_due_ = false;
    self->last_notify_ = std::chrono::steady_clock::now();
    self->Request("notify", true);
  });
}

void SchemaReloader::StartNext() {
  running_ = true;
  auto settings = tools_->settings()->current();
  auto published = tools_->current();
  bool force = pending_force_ || published->built_with != settings;
  std::string reason = std::move(pending_reason_);
  std::string known_version = published->schema->version;
  schema::SnapshotPtr serving = published->schema;
  pending_ = false;
  pending_force_ = false;
  pending_reason_.clear();
  // The thread holds only a weak reference: the owner's reference decides when this object goes.
  // It is detached: nothing waits for it (Stop), and it reaches the loop only through the handoff.
  std::weak_ptr<SchemaReloader> weak = shared_from_this();
  std::thread([weak, handoff = handoff_, force, reason, settings, known_version, serving] {
    auto started = std::chrono::steady_clock::now();
    auto conn = ConnectBlocking(*settings);
    std::optional<Result<schema::SchemaSnapshot>> rebuilt;
    std::shared_ptr<const RoleViews> views;
    std::vector<std::string> problems;  // of the privilege audit: empty when the roles are safe
    std::string failure;
    if (!conn) {
      failure = conn.error().message;
    } else {
      auto version = schema::SchemaVersion(**conn, *settings);
      if (!version) {
        failure = version.error().message;
      } else if (force || *version != known_version) {
        rebuilt = schema::Introspect(**conn, *settings);
        if (!*rebuilt) failure = rebuilt->error().message;
      }
      // Every reload audits, changed catalog or not: a GRANT does not change the schema version.
      if (failure.empty()) {
        auto report = security::AuditRoles(**conn, *settings, rebuilt ? rebuilt->value() : *serving);
        if (!report) {
          failure = report.error().message;
        } else {
          problems = security::RefusalReasons(*report);
        }
      }
      if (failure.empty() && rebuilt) {
        // The per-role views and catalogs are built here, off the event loop.
        views = RoleViews::Build(std::make_shared<const schema::SchemaSnapshot>(std::move(rebuilt->value())), settings);
      }
    }
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    handoff->Post([weak, views = std::move(views), problems = std::move(problems), failure, reason, settings,
                   ms]() mutable {
      auto self = weak.lock();
      if (!self || self->stopped_) return;
      if (!failure.empty()) {
        // The last good snapshot keeps serving, and the last audit's verdict stands.
        logging::Warn("schema_reload_failed", {{"reason", reason}, {"error", failure}, {"duration_ms", ms}});
        self->Finish(Outcome::kFailed);
        return;
      }
      self->ApplyAudit(std::move(problems), *settings);
      if (!views) {
        logging::Debug("schema_reload", {{"reason", reason}, {"result", "unchanged"}, {"duration_ms", ms}});
        self->Finish(Outcome::kUnchanged);
        return;
      }
      for (const auto& w : views->all()->schema->warnings) logging::Warn("schema_warning", {{"message", w}});
      size_t tables = views->all()->schema->tables.size();
      std::string version = views->all()->schema->version;
      ListChange change = self->tools_->Publish(std::move(views));
      bool changed = change.Any();
      // A rebuild that changed nothing is routine, debug as a version check that finds nothing is,
      // unless the operator asked for it: a SIGHUP's rebuild says at info that it is done
      // (docs/operations.md, Logs). NOTIFYs, which anyone may send, never make info lines of it.
      const bool asked_by_operator = reason.find("sighup") != std::string::npos;
      logging::Log(changed || asked_by_operator ? logging::LogLevel::kInfo : logging::LogLevel::kDebug,
                   "schema_reload",
                   {{"reason", reason}, {"result", changed ? "changed" : "unchanged"}, {"tables", tables},
                    {"version", version}, {"duration_ms", ms}});
      if (changed && self->hooks_.on_tools_changed) self->hooks_.on_tools_changed(change);
      self->Finish(changed ? Outcome::kChanged : Outcome::kUnchanged);
    });
  }).detach();
}

void SchemaReloader::ApplyAudit(std::vector<std::string> problems, const config::Settings& settings) {
  const bool refuse = !problems.empty() && !settings.security.allow_privileged_role;
  if (problems == audit_problems_ && refuse == tools_->roles_unsafe()) return;  // logged once per change
  audit_problems_ = std::move(problems);
  tools_->SetRolesUnsafe(refuse);
  if (audit_problems_.empty()) {
    logging::Info("roles_safe_again", {{"action", "tool calls are served again"}});
    return;
  }
  boost::json::array listed;
  for (const auto& p : audit_problems_) listed.emplace_back(p);
  if (refuse) {
    logging::Error("roles_unsafe", {{"problems", std::move(listed)},
                                    {"action", "every tool call is refused and /readyz answers 503 until a reload "
                                               "finds the roles safe; revoke what is listed (see pgmcp check)"}});
  } else {
    logging::Warn("privileged_role", {{"problems", std::move(listed)}, {"override", "security.allow_privileged_role"}});
  }
}

void SchemaReloader::Finish(Outcome outcome) {
  running_ = false;
  if (hooks_.on_reload_finished) hooks_.on_reload_finished(outcome);
  if (pending_ && !stopped_) StartNext();
}

}  // namespace pgmcp::service
