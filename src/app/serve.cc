// `pgmcp serve`: the MCP server over stdio (desktop clients) or Streamable HTTP (servers).
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/value.hpp>
#include <cstdlib>

#include "app/commands.h"
#include "auth/jwt_verifier.h"
#include "http/http_server.h"
#include "logging/line_output.h"
#include "logging/log.h"
#include "protocol/session.h"
#include "database/notification_listener.h"
#include "database/read_only_call.h"
#include "service/query_settings_check.h"
#include "service/schema_reloader.h"
#include "service/startup.h"
#include "service/tool_service.h"
#include "transport/stdio_transport.h"

namespace pgmcp::app {
namespace asio = boost::asio;

namespace {

// How long a /readyz answer from the database stays good (docs/reference.md, Endpoints).
constexpr std::chrono::seconds kReadyProbeInterval{1};

// The HTTP transport's authentication: the bearer token, checked with fresh keys when the token
// names one the identity provider published after the last fetch.
asio::awaitable<Result<http::Caller>> Authenticate(std::shared_ptr<const auth::JwtVerifier> verifier,
                                                  std::string header) {
  constexpr std::chrono::seconds kKeyWait{5};
  auto check = verifier->VerifyWithFreshKeys(std::move(header), std::chrono::system_clock::now(),
                                             std::chrono::steady_clock::now() + kKeyWait);
  auto outcome = co_await std::move(check);
  if (!outcome) co_return outcome.error();
  auto& id = *outcome;
  protocol::CallContext context;
  context.role = std::move(id.role);
  context.claims_json = std::move(id.claims_json);
  context.subject = std::move(id.subject);
  context.claims_digest = std::move(id.claims_digest);
  co_return http::Caller{std::move(context), id.expires_at};
}

// Runs the loop with the log lines of its thread batched: the lines of one turn of the loop leave
// in one write(2), and what is held is written when the loop ends, however it ends.
void RunLoop(asio::io_context& io) {
  logging::LineBatch batch([&io] { asio::post(io, [] { logging::FlushLines(); }); });
  io.run();
}

// Everything both transports share: settings, pool, tools, schema lifecycle, the loop, and an
// orderly stop. `settings` is the one place the current settings live: every consumer reads
// current() per unit of work, and a SIGHUP replaces it whole.
struct Server {
  asio::io_context io{1};
  config::Invocation invocation;
  config::SettingsSourcePtr settings;
  std::shared_ptr<database::Pool> pool;
  std::shared_ptr<service::ToolService> tools;
  std::shared_ptr<metrics::Metrics> metrics = metrics::Metrics::Create();
  std::shared_ptr<service::SchemaReloader> reloader;
  std::shared_ptr<database::NotificationListener> listener;
  // SIGHUP, caught from the first moment of serve (Serve): one that arrives during start-up waits
  // here and is applied as a reload once serving.
  asio::signal_set hangup{io, SIGHUP};
  bool stopping = false;
  uint64_t reload_generation = 0;  // SIGHUPs seen; a reload still being judged applies only if it is the last
  // /readyz's last database probe (event-loop state): an unauthenticated endpoint must not cost a
  // round trip per request, so answers within kReadyProbeInterval of a probe reuse it, and requests
  // that arrive while one probe runs do not start another.
  struct ReadyProbe {
    std::chrono::steady_clock::time_point at{};
    bool ok = false;
    bool running = false;
  } ready_probe;
  // A second stop signal during the drain: end it now (WaitForStop). `draining` counts what is
  // still in flight.
  bool hurry = false;
  std::function<size_t()> draining;

  // Reloads (docs/operations.md): SIGHUP re-reads the config and rebuilds; NOTIFY on the reload
  // channel rebuilds; the TTL triggers a cheap version check from the next request. `notify` tells
  // every connected client whose own lists changed (the change says whose) that they did.
  using Notify = std::function<void(std::string_view method, const service::ListChange& change)>;
  void StartSchemaLifecycle(Notify notify) {
    service::SchemaReloader::Hooks hooks;
    hooks.on_tools_changed = [notify](const service::ListChange& change) {
      notify("notifications/tools/list_changed", change);
      notify("notifications/resources/list_changed", change);
    };
    hooks.on_reload_finished = [m = metrics](service::SchemaReloader::Outcome outcome) {
      m->RecordReload(outcome == service::SchemaReloader::Outcome::kChanged     ? "ok"
                      : outcome == service::SchemaReloader::Outcome::kUnchanged ? "unchanged"
                                                                                : "failed");
    };
    reloader = service::SchemaReloader::Create(io, tools, hooks);
    metrics->SetPoolSampler([p = pool] {
      const auto st = p->stats();
      return metrics::PoolSample{.idle = st.idle,
                                 .busy = st.busy,
                                 .connecting = st.connecting,
                                 .waiting = st.waiting,
                                 .shared_calls = st.riders,
                                 .named_statements = st.named_statements,
                                 .statement_cache_hits = st.statements.hits,
                                 .statement_cache_misses = st.statements.misses,
                                 .statement_cache_evictions = st.statements.evictions,
                                 .database_reachable = st.reachable,
                                 .connect_failures = static_cast<uint64_t>(st.connect_failures)};
    });
    tools->SetStaleHandler([this] { asio::post(io, [this] { reloader->Request("ttl", false); }); });
    auto s = settings->current();            // listen_dsn and reload_channel are restart-only
    if (s->schema.reload_channel.empty()) {  // NOTIFY reloads switched off (e.g. behind PgBouncer)
      WaitForHangup();
      return;
    }
    listener = database::NotificationListener::Create(
        io.get_executor(), config::ListenDsn(*s), s->schema.reload_channel,
        std::chrono::milliseconds(s->pool.connect_timeout_ms),
        [this](const std::string& payload) {
          if (payload == "reload schema") reloader->RequestFromNotify();
        },
        [this, first = true](bool listening) mutable {
          metrics->SetSchemaListenerUp(listening);
          if (!listening) return;
          // After a reconnect, NOTIFYs sent while disconnected are lost: check the version instead.
          if (!first) reloader->Request("listen_reconnect", false);
          first = false;
        });
    metrics->SetSchemaListenerUp(false);  // connecting
    listener->Start();
    WaitForHangup();
  }

  void WaitForHangup() {
    hangup.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec || stopping) return;
      ReloadSettings();
      WaitForHangup();
    });
  }

  // SIGHUP: resolve the same invocation again (command line, environment, config file). A broken
  // config is refused and the running settings stay; otherwise the reloadable keys take effect for
  // every message and call from now on, and the schema is rebuilt with them.
  void ReloadSettings() {
    auto reread = config::ParseInvocation(invocation.args, [](const char* name) { return std::getenv(name); });
    if (!reread) {
      logging::Error("config_reload_failed", {{"error", reread.error().message}});
      return;
    }
    auto running = settings->current();
    auto merged = config::MergeReloadable(*running, reread->settings);
    if (auto valid = config::Validate(merged); !valid) {
      logging::Error("config_reload_failed", {{"error", valid.error().message}});
      return;
    }
    if (auto ignored = config::RestartOnlyChanges(*running, reread->settings); !ignored.empty()) {
      boost::json::array keys;
      for (auto& k : ignored) keys.emplace_back(k);
      logging::Warn("config_restart_required", {{"keys", std::move(keys)}});
    }
    const uint64_t generation = ++reload_generation;
    if (merged.query.timezone == running->query.timezone &&
        merged.query.text_search_config == running->query.text_search_config) {
      ApplySettings(std::move(merged));
      return;
    }
    // Names only the database can judge (service/query_settings_check.h): asked before they apply.
    asio::co_spawn(io, JudgeThenApply(generation, std::move(merged)), asio::detached);
  }

  asio::awaitable<void> JudgeThenApply(uint64_t generation, config::Settings merged) {
    // Named first: g++ 12 destroys temporaries of a co_await full-expression twice.
    auto check = service::CheckQuerySettings(*pool, merged);
    auto judged = co_await std::move(check);
    if (stopping || generation != reload_generation) co_return;  // a later SIGHUP read the file again
    if (!judged) {
      logging::Error("config_reload_failed", {{"error", judged.error().message}});
      co_return;
    }
    ApplySettings(std::move(merged));
  }

  void ApplySettings(config::Settings merged) {
    settings->Replace(std::make_shared<const config::Settings>(std::move(merged)));
    logging::Info("config_reloaded");
    logging::SetLevel(settings->current()->log_level);
    reloader->Request("sighup", true);
  }

  // SIGTERM/SIGINT: the first runs `drain` (which calls Drain); one during the drain (a second
  // signal, or the first after stdin closed) ends it at once, as PostgreSQL's and PgBouncer's fast
  // shutdown do: what is still in flight is cancelled.
  void WaitForStop(asio::signal_set& signals, std::function<void()> drain) {
    signals.async_wait([this, &signals, drain](const boost::system::error_code& ec, int) {
      if (ec) return;
      if (!stopping) {
        drain();
      } else if (!hurry) {
        hurry = true;
        logging::Info("shutdown", {{"reason", "second signal"}, {"in_flight", draining()}});
      }
      WaitForStop(signals, drain);
    });
  }

  // Waits (bounded, and cut short by a second stop signal) until in_flight() is 0, then runs
  // `finish` and stops the loop.
  void Drain(const char* why, std::function<size_t()> in_flight, std::function<void()> finish) {
    if (stopping) return;
    stopping = true;
    draining = in_flight;
    logging::Info("shutdown", {{"reason", why}, {"in_flight", in_flight()}});
    auto grace = std::chrono::milliseconds(settings->current()->shutdown_timeout_ms);
    asio::co_spawn(
        io,
        [this, in_flight, finish, grace]() -> asio::awaitable<void> {
          auto deadline = std::chrono::steady_clock::now() + grace;
          asio::steady_timer tick(io);
          while (in_flight() > 0 && std::chrono::steady_clock::now() < deadline && !hurry) {
            tick.expires_after(std::chrono::milliseconds(10));
            co_await tick.async_wait(asio::as_tuple(asio::use_awaitable));
          }
          finish();
          if (listener) listener->Stop();
          if (reloader) reloader->Stop();
          hangup.cancel();
          pool->Close();
          io.stop();
        },
        asio::detached);
  }
};

// Sessions read limits.max_json_depth from `source` for every message.
protocol::SessionOptions SessionDefaults(const config::SettingsSourcePtr& source, std::string session_id) {
  const auto current = source->current();
  const config::Settings& s = *current;
  protocol::SessionOptions options;
  options.settings = source;
  options.server_version = PGMCP_VERSION;
  options.context.session_id = std::move(session_id);
  options.context.role = s.auth.anonymous_role;
  return options;
}

int ServeStdio(Server& server) {
  const config::SettingsSourcePtr& source = server.settings;
  transport::StdioTransport stdio(server.io.get_executor(),
                                  [source] { return static_cast<size_t>(source->current()->limits.max_line_bytes); });
  auto session =
      protocol::Session::Create(server.io.get_executor(), server.tools, SessionDefaults(source, "stdio"),
                                [&stdio](protocol::Outgoing m) { stdio.Send(std::move(m.text)); });
  auto stop = [&](const char* why) {
    server.Drain(why, [session] { return session->in_flight(); },
                 [session] {
                   session->EndSubscriptions();  // each open subscriptions/listen gets its graceful result
                   session->CancelAll();
                 });
  };
  server.StartSchemaLifecycle([session](std::string_view method, const service::ListChange& change) {
    if (change.For(session->context().role)) session->Notify(method);
  });
  stdio.Start({
      [&](std::string line) {
        if (server.stopping) return;
        session->Receive(line);
      },
      [&](size_t limit) {
        stdio.Send(
            protocol::EncodeError(nullptr, protocol::error_code::kInvalidRequest,
                                  "Invalid Request: the message is larger than " + std::to_string(limit) + " bytes."));
      },
      [&] { stop("stdin closed"); },
  });
  asio::signal_set signals(server.io, SIGINT, SIGTERM);
  server.WaitForStop(signals, [&] { stop("signal"); });
  logging::Info("serving", {{"transport", "stdio"}, {"version", PGMCP_VERSION}});
  RunLoop(server.io);
  stdio.Stop();
  return 0;
}

int ServeHttp(Server& server) {
  // Restart-only keys are read once here (among them http.max_connections,
  // http.max_connections_per_client, http.max_sessions_per_owner, http.trusted_proxies); http/
  // reads the reloadable ones (http.max_body_bytes, http.allowed_origins, limits.max_json_depth)
  // for every request.
  auto current = server.settings->current();
  const config::Settings& s = *current;
  http::Hooks hooks;
  std::shared_ptr<auth::RemoteJwks> remote_keys;  // stopped with the server, so that the loop can end
  if (s.auth.mode != config::AuthMode::kNone) {
    auto login_role = service::LoginRole(s);
    if (!login_role) return service::ReportStartupError(login_role.error());
    auth::VerifierOptions verifier_options;
    if (const char* env = std::getenv(auth::kJwtSecretEnv); env != nullptr) verifier_options.env_secret = env;
    verifier_options.executor = server.io.get_executor();
    auto verifier = auth::JwtVerifier::Create(s.auth, *login_role, std::move(verifier_options));
    if (!verifier) return service::ReportStartupError(verifier.error());
    boost::json::array algorithms;
    for (const auto& a : (*verifier)->AcceptedAlgorithms()) algorithms.emplace_back(a);
    boost::json::object fields{{"algorithms", std::move(algorithms)}, {"skipped_jwks", (*verifier)->SkippedJwks()}};
    if (remote_keys = (*verifier)->remote_keys(); remote_keys) fields["keys_from"] = remote_keys->source();
    logging::Info("auth_ready", std::move(fields));
    hooks.authenticate = [v = *verifier](std::string header) { return Authenticate(v, std::move(header)); };
    server.metrics->SetAuthSampler([v = *verifier] {
      const auto st = v->CacheStats();
      return metrics::AuthSample{
          .token_cache_hits = st.hits, .token_cache_misses = st.misses, .token_cache_evictions = st.evictions};
    });
  }
  hooks.metrics = [m = server.metrics] { return m->Render(); };
  hooks.on_response = [m = server.metrics](int status) { m->RecordHttpRequest(status); };
  hooks.on_auth_failure = [m = server.metrics](const std::string& reason) { m->RecordAuthFailure(reason); };
  hooks.on_connection_refused = [m = server.metrics](std::string_view cap) { m->RecordConnectionRefused(cap); };
  hooks.ready = [&server]() -> asio::awaitable<bool> {
    // Ready: a schema is loaded, the roles are safe (the last reload's audit), and the database
    // answered a trivial query within a second, at most kReadyProbeInterval ago.
    if (server.stopping || server.tools->current() == nullptr || server.tools->roles_unsafe()) co_return false;
    auto& last = server.ready_probe;
    if (last.running || std::chrono::steady_clock::now() - last.at < kReadyProbeInterval) co_return last.ok;
    last.running = true;
    // Cleared however this coroutine ends (a connection closed mid-probe destroys it).
    struct Running {
      Server::ReadyProbe& probe;
      ~Running() { probe.running = false; }
    } running{last};
    database::Envelope envelope;
    envelope.statement_timeout_ms = 1000;
    auto probe = database::RunReadOnly(*server.pool, envelope, database::Statement{"SELECT 1", {}},
                                       database::Clock::now() + std::chrono::seconds(1));
    auto result = co_await std::move(probe);
    last.at = std::chrono::steady_clock::now();
    last.ok = result.ok();
    co_return last.ok;
  };

  http::HttpOptions options;
  options.listen = s.listen;
  options.loopback_only = s.auth.mode == config::AuthMode::kNone;  // Start refuses any other address
  options.settings = server.settings;
  options.authorization_servers = s.auth.authorization_servers;
  options.max_connections = static_cast<size_t>(s.http.max_connections);
  options.max_connections_per_client = static_cast<size_t>(s.http.max_connections_per_client);
  options.max_sessions_per_owner = static_cast<size_t>(s.http.max_sessions_per_owner);
  options.trusted_proxies = s.http.trusted_proxies;
  options.replica_id = s.http.replica_id;
  options.session = SessionDefaults(server.settings, "");
  auto http_server = http::HttpServer::Create(server.io, options, server.tools, hooks);
  server.metrics->SetSessionSampler([weak = std::weak_ptr<http::HttpServer>(http_server)] {
    auto live = weak.lock();
    return live ? metrics::SessionSample{static_cast<int64_t>(live->sessions()),
                                         static_cast<int64_t>(live->stateless_in_flight())}
                : metrics::SessionSample{};
  });
  auto port = http_server->Start();
  if (!port) return service::ReportStartupError(port.error());

  server.StartSchemaLifecycle([http_server](std::string_view method, const service::ListChange& change) {
    http_server->NotifyAll(method, [&change](const protocol::CallContext& caller) { return change.For(caller.role); });
  });
  asio::signal_set signals(server.io, SIGINT, SIGTERM);
  server.WaitForStop(signals, [&] {
    http_server->StopAccepting();
    if (remote_keys) remote_keys->Stop();
    server.Drain("signal", [http_server] { return http_server->in_flight(); },
                 [http_server] { http_server->CloseSessions(); });
  });
  logging::Info("serving", {{"transport", "http"}, {"listen", s.listen}, {"port", *port}, {"version", PGMCP_VERSION}});
  RunLoop(server.io);
  return 0;
}

}  // namespace

int Serve(const config::Invocation& inv) {
  // The server first: its SIGHUP handler is in place before the slow part of start-up (the catalog,
  // the audit, the keys). SIGHUP's default action would end the process, and systemd counts death
  // by SIGHUP as clean, so Restart=on-failure would not bring it back.
  Server server;
  auto audited = service::LoadAuditedSchema(inv.settings);
  if (!audited) return service::ReportStartupError(audited.error());

  server.invocation = inv;
  server.settings = std::make_shared<config::SettingsSource>(std::make_shared<const config::Settings>(inv.settings));
  server.pool = database::Pool::Create(server.io.get_executor(),
                                       service::PoolOptionsFrom(inv.settings, 0, audited->login_role));
  server.pool->Start();
  server.tools = std::make_shared<service::ToolService>(server.settings, server.pool, server.metrics);
  server.tools->Publish(audited->snapshot);
  return inv.settings.transport == config::Transport::kHttp ? ServeHttp(server) : ServeStdio(server);
}

}  // namespace pgmcp::app
