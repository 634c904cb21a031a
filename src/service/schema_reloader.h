// SchemaReloader: rebuilds the schema snapshot off the event loop when asked (SIGHUP, NOTIFY, the
// TTL), coalesces bursts into one rebuild, keeps the last good snapshot when a reload fails, and
// announces a changed tool list. Every reload also runs the privilege audit, and the tool service
// refuses calls while it finds the roles unsafe (docs/security.md). Request() is called on the
// event loop; the work runs on a thread of its own, which nothing ever waits for (Stop).
// Each rebuild reads the service's SettingsSource when it starts; it never holds settings of its own.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "service/tool_service.h"

namespace pgmcp::service {

class SchemaReloader : public std::enable_shared_from_this<SchemaReloader> {
 public:
  enum class Outcome { kChanged, kUnchanged, kFailed };
  struct Hooks {
    // On the event loop, after the swap, when some caller's tool list or resources changed;
    // the change tells whose.
    std::function<void(const ListChange&)> on_tools_changed;
    std::function<void(Outcome)> on_reload_finished;  // metrics
  };

  static std::shared_ptr<SchemaReloader> Create(boost::asio::io_context& io, std::shared_ptr<ToolService> tools,
                                                Hooks hooks);
  ~SchemaReloader();

  // Asks for a reload. `force` rebuilds even when the catalog's schema_version is unchanged;
  // otherwise only the cheap version query runs -- unless the settings were replaced since the
  // current snapshot was built (a SIGHUP whose rebuild failed), which also forces a rebuild.
  void Request(std::string reason, bool force);
  // A forced reload that `NOTIFY <reload_channel>, 'reload schema'` asked for. NOTIFY needs no
  // privilege, so any database user can send them, in a loop: at most one such reload starts per
  // kNotifyInterval, and the NOTIFYs in between fold into one more when the interval is up.
  void RequestFromNotify();
  static constexpr std::chrono::seconds kNotifyInterval{2};

  // No reload starts or finishes from now on. One still waiting on the database is abandoned: its
  // thread ends on its own by the catalog reader's deadlines (database/catalog_reader.h) and posts
  // nothing, so shutdown never waits for a stuck database.
  void Stop();

 private:
  // What a reload's thread shares with the event loop: the loop to post its result to, until Stop.
  struct Handoff;

  SchemaReloader(boost::asio::io_context& io, std::shared_ptr<ToolService> tools, Hooks hooks);
  void StartNext();
  void Finish(Outcome outcome);
  // Takes a successful audit's unsafe findings: refuses or serves calls, and logs when they change.
  void ApplyAudit(std::vector<std::string> problems, const config::Settings& settings);

  boost::asio::io_context& io_;
  std::shared_ptr<ToolService> tools_;
  Hooks hooks_;
  std::shared_ptr<Handoff> handoff_;  // shared with the reload threads, which may outlive this
  // Event-loop state: one reload at a time; requests meanwhile fold into one more.
  bool running_ = false;
  bool pending_ = false;
  bool pending_force_ = false;
  std::string pending_reason_;
  bool stopped_ = false;
  // NOTIFY's rate limit (RequestFromNotify): when the last NOTIFY reload was requested, and the
  // timer of the one folded NOTIFYs wait for, armed while one is due.
  std::optional<std::chrono::steady_clock::time_point> last_notify_;
  boost::asio::steady_timer notify_timer_;
  bool notify_due_ = false;
  // The unsafe findings of the last successful audit (start-up refused to serve with any, unless
  // security.allow_privileged_role).
  std::vector<std::string> audit_problems_;
};

}  // namespace pgmcp::service
