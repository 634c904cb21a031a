// Fault injection under load (docs/reference.md, "Outages"): PostgreSQL restarted, its backends
// terminated, stopped for 5 s; connections refused, reset and black-holed by a proxy
// (tests/support/fault_proxy.mjs); a statement stuck on a lock while clients cancel. pgmcp runs
// against a cluster of this test's own (restarting the shared one would disturb the other files),
// through the proxy, with several SDK clients over HTTP calling all the while. Each fault asserts:
// pgmcp never exits; only clean isError results during the fault, fast while the database is
// unreachable; recovery within a few seconds; never more than pool.max connections; no
// transaction left open.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { bin, startHttp, startProxy, waitFor, writeTemp } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const pgCluster = join(here, "../support/pg_cluster");
const POOL_MAX = 4;
const CLIENTS = 6;
const UNAVAILABLE = "The database is unavailable right now; try again shortly.";
// What a call may answer during a fault: the database unreachable (or the connection lost mid-call),
// or, on a black-holed connection, a call that ran out of time.
const FAULT_SENTENCES = new Set([UNAVAILABLE, "The database did not answer in time."]);

let clusterDir, clusterEnv, proxy, server, clients = [];

function cluster(cmd) {
  execFileSync(pgCluster, [cmd, clusterDir], { stdio: ["ignore", "ignore", "inherit"] });
}

// SQL as the superuser straight to the test's cluster (not through the proxy); the single value.
function sql(text) {
  return execFileSync("psql", ["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", "faults", "-c", text], {
    encoding: "utf8", env: { ...process.env, ...clusterEnv }, stdio: ["ignore", "pipe", "pipe"],
  }).trim();
}

// pgmcp's connections but its LISTEN one (schema reloads), which stays on: losing it in an outage
// once stalled HTTP clients (see the refuse test).
const pgmcpBackends = (extra = "") =>
  Number(sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgmcp' AND datname = 'faults' " +
             `AND query NOT LIKE 'LISTEN%' ${extra}`));
// The pool's connections, and briefly one more: the LISTEN connection between its connect and its
// LISTEN, or the catalog connection of the version check its reconnect triggers. (The pool's own
// bound is tested exactly in tests/pg/database/read_only_call_pgtest.cc.)
const MAX_BACKENDS = POOL_MAX + 1;
const terminatePgmcp = () =>
  sql("SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity WHERE application_name = 'pgmcp'");

async function sdkClient() {
  const client = new Client({ name: "pgmcp-e2e-faults", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
  return client;
}

// One call: { ok, text, ms }; a JSON-RPC error (allowed by the spec for a cancelled call) as text.
async function call(client, options = {}) {
  const start = Date.now();
  try {
    const r = await client.callTool({ name: "query_products", arguments: { limit: 1 } }, undefined,
                                    { timeout: 20000, ...options });
    return { ok: !r.isError, text: r.isError ? r.content[0].text : "", ms: Date.now() - start };
  } catch (e) {
    return { ok: false, text: `threw: ${e.message}`, ms: Date.now() - start, threw: true };
  }
}

// Every client calls in a loop while `during` runs; samples pgmcp's backends each 100 ms.
// Returns the results and the most backends seen.
async function underLoad(during) {
  let running = true, maxBackends = 0;
  const results = [];
  const loops = clients.map(async (client) => {
    while (running) results.push({ at: Date.now(), ...(await call(client)) });
  });
  const sampler = (async () => {
    while (running) {
      try { maxBackends = Math.max(maxBackends, pgmcpBackends()); } catch { /* the database is down */ }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try { await during(); } finally { running = false; }
  await Promise.all([...loops, sampler]);
  return { results, maxBackends };
}

function assertClean(results, what, also = []) {
  for (const r of results) {
    if (r.ok) continue;
    assert.ok(FAULT_SENTENCES.has(r.text) || also.includes(r.text), `${what}: unexpected answer ${JSON.stringify(r)}`);
  }
}

// The value of an unlabelled series on a pgmcp's /metrics page.
async function metricValue(instance, name) {
  const text = await (await fetch(`${instance.base}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
}

async function recovered(ms = 5000) {
  const start = Date.now();
  await waitFor("a successful call", async () => (await call(clients[0])).ok, ms);
  return Date.now() - start;
}

function assertSettled(maxBackends, what) {
  assert.equal(server.proc.exitCode, null, `${what}: pgmcp is still running`);
  assert.ok(maxBackends <= MAX_BACKENDS, `${what}: ${maxBackends} backends > pool.max + 1`);
  assert.ok(pgmcpBackends() <= MAX_BACKENDS);
  assert.equal(pgmcpBackends("AND state LIKE 'idle in transaction%'"), 0, `${what}: a transaction left open`);
}

const countEvents = (from, event) =>
  server.logs.slice(from).filter((line) => line.includes(`"event":"${event}"`)).length;

before(async () => {
  clusterDir = mkdtempSync(join(tmpdir(), "pgmcp-faults-"));
  execFileSync(pgCluster, ["start", join(clusterDir, "c")], { stdio: ["ignore", "ignore", "inherit"] });
  clusterDir = join(clusterDir, "c");
  clusterEnv = Object.fromEntries(readFileSync(join(clusterDir, "env"), "utf8").trim().split("\n").map((l) => l.split("=")));
  execFileSync("createdb", ["faults"], { env: { ...process.env, ...clusterEnv } });
  execFileSync("psql", ["-q", "-X", "-v", "ON_ERROR_STOP=1", "-d", "faults", "-f", join(here, "../../examples/demo.sql")],
               { env: { ...process.env, ...clusterEnv }, stdio: ["ignore", "ignore", "inherit"] });
  proxy = await startProxy(Number(clusterEnv.PGPORT));
  server = await startHttp(`
[auth]
mode = "none"
[pool]
min = 2
max = ${POOL_MAX}
connect_timeout_ms = 1000
acquire_timeout_ms = 2000
[limits]
statement_timeout_ms = 1000
`, [], { dsn: `host=127.0.0.1 port=${proxy.listen} dbname=faults user=mcp_reader` });
  for (let i = 0; i < CLIENTS; i++) clients.push(await sdkClient());
  assert.ok((await call(clients[0])).ok);
});

after(async () => {
  if (process.env.PGMCP_FAULTS_LOG) writeFileSync(process.env.PGMCP_FAULTS_LOG, server.logs.join("\n") + "\n");
  for (const c of clients) await c.close().catch(() => {});
  const code = await server?.stop();
  proxy?.close();
  if (clusterDir) {
    execFileSync(pgCluster, ["stop", clusterDir]);
    rmSync(dirname(clusterDir), { recursive: true, force: true });
  }
  assert.equal(code, 0, "pgmcp exits 0 on SIGTERM after every fault");
});

// Regression: the LISTEN connection, lost here, kept its socket registered with Asio through its
// reconnect pause after libpq had closed it; releasing it then unregistered whatever socket had
// reused the number (an HTTP client's), and that client's call never got an answer.
test("refused connections: calls fail at once with the one sentence, and recover", async () => {
  const poolMetric = (name) => metricValue(server, name);
  assert.equal(await poolMetric("pgmcp_pool_database_reachable"), 1);
  const failuresBefore = await poolMetric("pgmcp_pool_connect_failures_total");
  await proxy.set("refuse");
  terminatePgmcp();  // no pooled connection left to serve a call
  let reachableDuring = NaN, failuresDuring = NaN;
  const { results, maxBackends } = await underLoad(async () => {
    await new Promise((r) => setTimeout(r, 1500));
    reachableDuring = await poolMetric("pgmcp_pool_database_reachable");
    failuresDuring = await poolMetric("pgmcp_pool_connect_failures_total");
  });
  await proxy.set("pass");
  // An operator alerts on the series: 0 while connections are refused, failed attempts counted.
  assert.equal(reachableDuring, 0, "/metrics says the database is unreachable");
  assert.ok(failuresDuring > failuresBefore, `connect failures ${failuresBefore} -> ${failuresDuring}`);
  const failed = results.filter((r) => !r.ok);
  const slowest = Math.max(...failed.map((r) => r.ms));
  const sorted = failed.map((r) => r.ms).sort((a, b) => a - b);
  console.log(`# refuse: ${failed.length} calls failed in 1.5 s, median ${sorted[sorted.length >> 1]} ms, ` +
              `slowest ${slowest} ms, over 1 s: ${failed.filter((r) => r.ms > 1000).length}`);
  assert.ok(failed.length > 20, `${failed.length} calls failed`);
  for (const r of failed) assert.equal(r.text, UNAVAILABLE, JSON.stringify(r));
  // pgmcp refuses in well under a millisecond (the tool_call lines' duration_ms); the rest is HTTP
  // and a machine shared with the other tests.
  assert.ok(slowest < 1000, `slowest refusal took ${slowest} ms`);
  const back = await recovered();
  console.log(`# refuse: recovered ${back} ms after the proxy passed again`);
  assert.equal(await poolMetric("pgmcp_pool_database_reachable"), 1, "reachable again once a connect succeeded");
  assertSettled(maxBackends, "refuse");
});

test("a 5 s stop: one db_unreachable and one db_reachable line, one connection attempt per backoff step", async () => {
  const logFrom = server.logs.length;
  const accepted = (await proxy.stats()).accepted;
  let stoppedAt = 0, upAt = 0;
  const { results, maxBackends } = await underLoad(async () => {
    cluster("down");
    stoppedAt = Date.now();
    await new Promise((r) => setTimeout(r, 5000));
    cluster("up");
    upAt = Date.now();
    await recovered(6000);
  });
  const attempts = (await proxy.stats()).accepted - accepted;
  const during = results.filter((r) => r.at >= stoppedAt && r.at + r.ms <= upAt);
  const failedFast = during.filter((r) => r.text === UNAVAILABLE);
  const slowest = Math.max(0, ...failedFast.map((r) => r.ms));
  console.log(`# stop 5 s: ${during.length} calls during the outage, ${failedFast.length} refused (slowest ` +
              `${slowest} ms); ${attempts} connection attempts at the proxy; log lines: ` +
              `${server.logs.length - logFrom}, ${server.logs.length - logFrom - countEvents(logFrom, "tool_call")} ` +
              `besides tool_call (db_unreachable ${countEvents(logFrom, "db_unreachable")}, ` +
              `db_reachable ${countEvents(logFrom, "db_reachable")}, ` +
              `db_connection_broken ${countEvents(logFrom, "db_connection_broken")})`);
  assertClean(results, "stop");
  assert.equal(countEvents(logFrom, "db_unreachable"), 1);
  assert.equal(countEvents(logFrom, "db_reachable"), 1);
  assert.ok(countEvents(logFrom, "db_connection_broken") <= 3);
  // No storm (main made 728 here): the attempts already under way in each of pool.max slots when
  // the breaker opened, then one per backoff step (100 ms doubling to 2 s, each cut by up to half
  // for jitter: at most 11 steps in the ~7 s until recovery), and the LISTEN connection's own
  // reconnects (1 s doubling) with the catalog check that follows one.
  assert.ok(attempts <= POOL_MAX + 11 + 5, `${attempts} connection attempts`);
  assert.ok(slowest < 1000, `slowest refusal took ${slowest} ms`);
  assertSettled(maxBackends, "stop");
});

test("PostgreSQL restarted and backends terminated under load: clean errors, then recovery", async () => {
  const { results, maxBackends } = await underLoad(async () => {
    cluster("restart");
    await recovered();
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 200));
      terminatePgmcp();
    }
    await recovered();
  });
  assertClean(results, "restart");
  assert.ok(results.some((r) => r.ok));
  assertSettled(maxBackends, "restart");
});

test("reset connections: clean fast errors, then recovery", async () => {
  const { results, maxBackends } = await underLoad(async () => {
    await proxy.set("reset");
    await new Promise((r) => setTimeout(r, 1000));
    await proxy.set("pass");
    await recovered();
  });
  const failed = results.filter((r) => !r.ok);
  console.log(`# reset: ${failed.length} calls failed, slowest ${Math.max(...failed.map((r) => r.ms))} ms`);
  assertClean(results, "reset");
  assert.ok(failed.length > 0);
  assertSettled(maxBackends, "reset");
});

test("black-holed connections: calls end cleanly by their deadline, then recovery", async () => {
  const { results, maxBackends } = await underLoad(async () => {
    await proxy.set("blackhole");
    await new Promise((r) => setTimeout(r, 3500));
    await proxy.set("pass");
    await recovered(8000);
  });
  const failed = results.filter((r) => !r.ok);
  const slowest = Math.max(...failed.map((r) => r.ms));
  const kinds = {};
  for (const r of failed) kinds[r.text] = (kinds[r.text] ?? 0) + 1;
  console.log(`# blackhole: ${failed.length} calls failed, slowest ${slowest} ms: ${JSON.stringify(kinds)}`);
  // Silent connections stay leased until their deadline: calls queued behind them may find the
  // pool full for pool.acquire_timeout_ms.
  assertClean(results, "blackhole", ["The server is busy: no database connection became free within 2000 ms; try again."]);
  assert.ok(failed.length > 0);
  // statement_timeout 1 s + pgmcp's 2 s grace bounds a call on a silent connection; connect_timeout
  // 1 s bounds a connect.
  assert.ok(slowest < 4000, `slowest call took ${slowest} ms`);
  assertSettled(maxBackends, "blackhole");
});

test("a statement stuck on a lock while clients cancel: cancelled calls free their connections", async () => {
  const holder = spawn("psql", ["-X", "-q", "-d", "faults", "-c",
    "BEGIN; LOCK TABLE products IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60);"],
    { env: { ...process.env, ...clusterEnv }, stdio: "ignore" });
  try {
    await waitFor("the lock", () => sql("SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND granted " +
                                        "AND relation = 'products'::regclass") === "1");
    const calls = clients.map(async (client) => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      return call(client, { signal: controller.signal });
    });
    const results = await Promise.all(calls);
    for (const r of results) {
      assert.ok(!r.ok, JSON.stringify(r));
      assert.ok(r.ms < 1500, `cancelled call ended after ${r.ms} ms`);
    }
    // The server was told to cancel: no pgmcp backend still waits on the lock.
    await waitFor("pgmcp's statements cancelled", () => pgmcpBackends("AND wait_event_type = 'Lock'") === 0, 3000);
  } finally {
    holder.kill();
  }
  sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'psql' AND pid <> pg_backend_pid()");
  await recovered();
  assertSettled(0, "lock");
});

// The catalog connection (start-up, reloads) to a database that accepts the login and then never
// answers (found in review: a reload stuck in poll() without a timeout stopped every later
// reload, and SIGTERM waited for it forever). Each catalog query now has a deadline
// (pool.connect_timeout_ms, as its statement_timeout and 2 s more on the client), and shutdown
// never waits for a stuck reload.
test("a catalog connection that stalls after its login: the reload fails by its deadline, the next works, SIGTERM is not held up", async () => {
  const stalling = await startProxy(Number(clusterEnv.PGPORT));
  const direct = `host=127.0.0.1 port=${clusterEnv.PGPORT} dbname=faults user=mcp_reader`;
  const throughProxy = `host=127.0.0.1 port=${stalling.listen} dbname=faults user=mcp_reader`;
  const config = `
[auth]
mode = "none"
[pool]
connect_timeout_ms = 1000
[schema]
listen_dsn = "${throughProxy}"
reload_channel = ""
`;
  const own = await startHttp(config, ["--log-level", "debug"], { dsn: direct });
  const exited = new Promise((resolve) => own.proc.once("exit", (code) => resolve(code)));
  const events = (from, event) => own.logs.slice(from).filter((l) => l.includes(`"event":"${event}"`));
  try {
    // A reload whose catalog queries never get an answer fails within the deadline.
    await stalling.set("stall");
    let from = own.logs.length;
    let start = Date.now();
    own.proc.kill("SIGHUP");
    await waitFor("schema_reload_failed", () => events(from, "schema_reload_failed").length === 1, 8000);
    const failedAfter = Date.now() - start;
    console.log(`# stalled catalog: the reload failed after ${failedAfter} ms`);
    assert.ok((await stalling.stats()).stalled >= 1, "the connection went silent after its login, not before");
    assert.ok(failedAfter < 1000 + 2000 + 1500, `the reload failed after ${failedAfter} ms`);

    // Healed: the next reload works.
    await stalling.set("pass");
    from = own.logs.length;
    own.proc.kill("SIGHUP");
    await waitFor("a reload after healing", () => events(from, "schema_reload").length === 1, 8000);
    assert.equal(events(from, "schema_reload_failed").length, 0);

    // SIGTERM while a reload is stuck: pgmcp does not wait for it.
    await stalling.set("stall");
    const stalled = (await stalling.stats()).stalled;
    own.proc.kill("SIGHUP");
    await waitFor("the reload stuck", async () => (await stalling.stats()).stalled > stalled, 8000);
    start = Date.now();
    own.proc.kill("SIGTERM");
    const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve("hung"), 10000))]);
    const stoppedAfter = Date.now() - start;
    console.log(`# stalled catalog: SIGTERM during a stuck reload exited after ${stoppedAfter} ms`);
    assert.equal(code, 0, "SIGTERM ends pgmcp with 0 while a reload is stuck");
    assert.ok(stoppedAfter < 1500, `SIGTERM took ${stoppedAfter} ms`);

    // Start-up against the stalled catalog gives up with exit 1 instead of hanging.
    start = Date.now();
    const r = spawnSync(bin, ["serve", "--dsn", direct, "--config", writeTemp("stall.toml", config)],
                        { encoding: "utf8", input: "", timeout: 20000 });
    const gaveUpAfter = Date.now() - start;
    console.log(`# stalled catalog: start-up gave up after ${gaveUpAfter} ms: ${r.stderr.trim()}`);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^pgmcp: .*catalog/);
    assert.ok(gaveUpAfter < 1000 + 2000 + 2000, `start-up gave up after ${gaveUpAfter} ms`);
  } finally {
    own.proc.kill("SIGKILL");
    stalling.close();
  }
});

// The LISTEN connection on a network path that goes silent (found after review: a stalled path or
// a hung server sends no end of stream, so the listener waited for NOTIFYs that could never come,
// and reloads by NOTIFY stopped without a word). A connection silent for 5 s is now probed (a Sync
// alone) and must answer within pool.connect_timeout_ms, else it is replaced.
test("a LISTEN connection that goes silent is found within 5 s + connect_timeout_ms and replaced; NOTIFY works again", async () => {
  const path = await startProxy(Number(clusterEnv.PGPORT));
  const direct = `host=127.0.0.1 port=${clusterEnv.PGPORT} dbname=faults user=mcp_reader`;
  const own = await startHttp(`
[auth]
mode = "none"
[pool]
connect_timeout_ms = 1000
[schema]
listen_dsn = "host=127.0.0.1 port=${path.listen} dbname=faults user=mcp_reader"
`, ["--log-level", "debug"], { dsn: direct });
  const events = (from, event) => own.logs.slice(from).filter((l) => l.includes(`"event":"${event}"`))
    .map((l) => JSON.parse(l));
  // A NOTIFY reaches pgmcp: the rebuild it asks for is logged (unchanged: at debug).
  const notifyReloads = async (what) => {
    const from = own.logs.length;
    sql("NOTIFY pgmcp, 'reload schema'");
    await waitFor(what, () => events(from, "schema_reload").some((e) => e.reason === "notify"), 5000);
  };
  const listenerUp = () => metricValue(own, "pgmcp_schema_listener_up");
  try {
    await waitFor("listen_started", () => events(0, "listen_started").length === 1, 5000);
    assert.equal(await listenerUp(), 1);
    // Idle past the probe: the probed connection stays, and still delivers.
    await new Promise((r) => setTimeout(r, 6000));
    assert.equal(events(0, "listen_lost").length, 0, "a healthy, idle LISTEN connection is kept");
    await notifyReloads("a NOTIFY after a probe");

    const from = own.logs.length;
    const start = Date.now();
    await path.set("blackhole");
    await waitFor("listen_lost", () => events(from, "listen_lost").length >= 1, 10000);
    const foundAfter = Date.now() - start;
    console.log(`# silent LISTEN connection: replaced after ${foundAfter} ms: ${JSON.stringify(events(from, "listen_lost")[0])}`);
    assert.equal(events(from, "listen_lost")[0].reason, "no_answer");
    assert.equal(await listenerUp(), 0, "/metrics says the listener is down");
    assert.ok(foundAfter < 5000 + 1000 + 1500, `found after ${foundAfter} ms`);

    await path.set("pass");
    await waitFor("listen_started again", () => events(from, "listen_started").length === 1, 8000);
    assert.equal(await listenerUp(), 1);
    await notifyReloads("a NOTIFY on the new connection");
  } finally {
    await own.stop();
    path.close();
  }
});

// pool.idle_timeout_ms reaches the pool: a connection idle past it is closed (pool.min 0 here),
// where the pool used to keep every connection it had opened for good.
test("pool.idle_timeout_ms: an idle connection beyond pool.min is closed", async () => {
  const own = await startHttp(`
[auth]
mode = "none"
[pool]
min = 0
idle_timeout_ms = 300
[schema]
reload_channel = ""
`, [], { dsn: `host=127.0.0.1 port=${clusterEnv.PGPORT} dbname=faults user=mcp_reader application_name=pgmcp_idle` });
  const backends = () => Number(sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgmcp_idle'"));
  const client = new Client({ name: "pgmcp-e2e-faults", version: "1.0.0" });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(own.url)));
    const r = await client.callTool({ name: "query_products", arguments: { limit: 1 } });
    assert.ok(!r.isError, JSON.stringify(r));
    assert.ok(backends() >= 1, "the call's connection is pooled");
    const start = Date.now();
    await waitFor("the idle connection closed", () => backends() === 0, 5000);
    console.log(`# pool.idle_timeout_ms 300: the idle connection closed after ${Date.now() - start} ms`);
  } finally {
    await client.close().catch(() => {});
    await own.stop();
  }
});
