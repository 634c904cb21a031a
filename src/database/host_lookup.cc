#include "database/host_lookup.h"

#include <libpq-fe.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <memory>
#include <optional>

namespace pgmcp::database {
namespace asio = boost::asio;
namespace {

using Options = std::map<std::string, std::string>;

std::vector<std::string> SplitList(const std::string& list) {
  std::vector<std::string> items(1);
  for (char c : list) {
    if (c == ',') {
      items.emplace_back();
    } else {
      items.back().push_back(c);
    }
  }
  return items;
}

std::string JoinList(const std::vector<std::string>& items) {
  std::string list;
  for (size_t i = 0; i < items.size(); ++i) list += (i == 0 ? "" : ",") + items[i];
  return list;
}

// libpq's own test (recognized_connection_string): anything else is a bare database name.
bool IsConnectionString(const std::string& dsn) {
  return dsn.find('=') != std::string::npos || dsn.rfind("postgresql://", 0) == 0 || dsn.rfind("postgres://", 0) == 0;
}

Error DoesNotParse() {
  return MakeError(ErrorKind::kConfig,
                   "the connection string is neither key=value pairs nor a postgresql:// URI that libpq can read "
                   "(check its quoting and percent-encoding; libpq's own message is not shown, as it can quote the "
                   "password)");
}

Result<Options> ParseOptions(const std::string& dsn) {
  Options options;
  if (!IsConnectionString(dsn)) {
    options["dbname"] = dsn;
    return options;
  }
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(dsn.c_str(), &error);
  if (parsed == nullptr) {
    PQfreemem(error);
    return DoesNotParse();
  }
  for (auto* o = parsed; o->keyword != nullptr; ++o) {
    if (o->val != nullptr) options[o->keyword] = o->val;
  }
  PQconninfoFree(parsed);
  return options;
}

// libpq fills each of host, hostaddr and port the DSN leaves out from its environment variable
// (PGHOST, PGHOSTADDR, PGPORT) or compiled-in default, one option at a time: the same here.
void AddAddressDefaults(Options& options) {
  PQconninfoOption* defaults = PQconndefaults();
  if (defaults == nullptr) return;
  for (auto* o = defaults; o->keyword != nullptr; ++o) {
    std::string key = o->keyword;
    if ((key == "host" || key == "hostaddr" || key == "port") && o->val != nullptr && *o->val != '\0' &&
        options[key].empty()) {
      options[key] = o->val;
    }
  }
  PQconninfoFree(defaults);
}

// libpq looks a host up by name unless it is a Unix-socket directory (is_unixsock_path), an IP
// literal (getaddrinfo answers those without asking DNS) or has a hostaddr.
bool NeedsLookup(const std::string& host, const std::string& hostaddr) {
  if (host.empty() || !hostaddr.empty() || host[0] == '/' || host[0] == '@') return false;
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return static_cast<bool>(ec);
}

struct Lookup {
  explicit Lookup(const asio::any_io_executor& executor) : done(executor) {}
  asio::steady_timer done;  // expires at the deadline; cancelled when the answer is in
  bool finished = false;
  boost::system::error_code error;
  std::vector<std::string> addresses;
};

// The addresses of `host`. getaddrinfo cannot be interrupted, so the wait is on a timer the
// answer cancels: a slow name server costs this connect its deadline, never the event loop.
asio::awaitable<Result<std::vector<std::string>>> LookUp(const std::string& host, Deadline deadline) {
  auto executor = co_await asio::this_coro::executor;
  auto lookup = std::make_shared<Lookup>(executor);
  lookup->done.expires_at(deadline);
  auto resolver = std::make_shared<asio::ip::tcp::resolver>(executor);
  // No AI_ADDRCONFIG, as in libpq: the same addresses libpq would have tried.
  resolver->async_resolve(
      host, "0", asio::ip::tcp::resolver::numeric_service,
      [lookup, resolver](boost::system::error_code ec, asio::ip::tcp::resolver::results_type r) {
        lookup->finished = true;
        lookup->error = ec;
        for (const auto& entry : r) {
          auto address = entry.endpoint().address().to_string();
          if (std::find(lookup->addresses.begin(), lookup->addresses.end(), address) == lookup->addresses.end()) {
            lookup->addresses.push_back(address);
          }
        }
        lookup->done.cancel();
      });
  co_await lookup->done.async_wait(asio::as_tuple(asio::use_awaitable));
  // (Read inline: co_await of another awaitable would throw once the coroutine is cancelled.)
  auto cancellation = co_await asio::this_coro::cancellation_state;
  if (!lookup->finished) {
    if (cancellation.cancelled() != asio::cancellation_type::none) {
      co_return MakeError(ErrorKind::kCancelled, "cancelled by the caller");
    }
    co_return MakeError(ErrorKind::kTimeout, "timeout resolving host name \"" + host + "\"");
  }
  if (lookup->error || lookup->addresses.empty()) {
    // libpq's wording for the same failure.
    co_return MakeError(ErrorKind::kUnavailable, "could not translate host name \"" + host + "\" to address: " +
                                                     (lookup->error ? lookup->error.message() : "no address"));
  }
  co_return std::move(lookup->addresses);
}

ConnectParams ToParams(const Options& options) {
  ConnectParams params;
  for (const auto& [key, value] : options) {
    if (!value.empty()) params.emplace_back(key, value);
  }
  return params;
}

}  // namespace

Status CheckConnectionString(const std::string& dsn) {
  auto parsed = ParseOptions(dsn);
  if (!parsed) return parsed.error();
  return OkStatus();
}

Result<ConnectParams> ConnectionParams(const std::string& dsn) {
  auto parsed = ParseOptions(dsn);
  if (!parsed) return parsed.error();
  return ToParams(*parsed);
}

asio::awaitable<Result<ConnectParams>> ResolveHostNames(std::string dsn, Deadline deadline, size_t first_host) {
  auto parsed = ParseOptions(dsn);
  if (!parsed) co_return parsed.error();
  Options options = std::move(*parsed);
  if (options.count("service") != 0) co_return ToParams(options);
  AddAddressDefaults(options);
  auto hosts = SplitList(options["host"]);
  auto hostaddrs = SplitList(options["hostaddr"]);
  auto ports = SplitList(options["port"]);
  bool per_host_ports = ports.size() > 1;
  if (options["host"].empty()) hosts.clear();
  if (options["hostaddr"].empty()) hostaddrs.assign(hosts.size(), "");
  // Lists libpq would refuse (counts that differ) go through untouched: libpq says what is wrong,
  // before any lookup.
  if (hosts.empty() || hostaddrs.size() != hosts.size() || (per_host_ports && ports.size() != hosts.size())) {
    co_return ToParams(options);
  }
  // libpq 15 has no load_balance_hosts: starting each connection at another host spreads a
  // pool over the list, and libpq still falls through to the next host when one does not answer.
  bool had_hostaddr = !options["hostaddr"].empty();
  size_t shift = first_host % hosts.size();
  if (shift != 0) {
    std::rotate(hosts.begin(), hosts.begin() + static_cast<std::ptrdiff_t>(shift), hosts.end());
    std::rotate(hostaddrs.begin(), hostaddrs.begin() + static_cast<std::ptrdiff_t>(shift), hostaddrs.end());
    if (per_host_ports) std::rotate(ports.begin(), ports.begin() + static_cast<std::ptrdiff_t>(shift), ports.end());
    options["host"] = JoinList(hosts);
    if (had_hostaddr) options["hostaddr"] = JoinList(hostaddrs);
    if (per_host_ports) options["port"] = JoinList(ports);
  }
  std::vector<std::string> out_hosts, out_hostaddrs, out_ports;
  std::optional<Error> last_failure;
  bool looked_up = false;
  for (size_t i = 0; i < hosts.size(); ++i) {
    std::string port = per_host_ports ? ports[i] : "";
    if (!NeedsLookup(hosts[i], hostaddrs[i])) {
      out_hosts.push_back(hosts[i]);
      out_hostaddrs.push_back(hostaddrs[i]);
      out_ports.push_back(port);
      continue;
    }
    looked_up = true;
    auto addresses = co_await LookUp(hosts[i], deadline);
    if (!addresses) {
      if (addresses.error().kind != ErrorKind::kUnavailable) co_return addresses.error();
      last_failure = addresses.error();  // libpq too goes on with the next host
      continue;
    }
    for (const auto& address : *addresses) {
      out_hosts.push_back(hosts[i]);
      out_hostaddrs.push_back(address);
      out_ports.push_back(port);
    }
  }
  if (!looked_up) co_return ToParams(options);
  if (out_hosts.empty()) co_return *last_failure;
  options["host"] = JoinList(out_hosts);
  options["hostaddr"] = JoinList(out_hostaddrs);
  if (per_host_ports) options["port"] = JoinList(out_ports);
  co_return ToParams(options);
}

}  // namespace pgmcp::database
