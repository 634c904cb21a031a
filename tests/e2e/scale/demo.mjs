// The scale-out rehearsal's driver (scripts/scale-demo starts PostgreSQL, the standby and
// PgBouncer, then runs this): three pgmcp replicas behind the shipped deploy/nginx.conf over TLS,
// load from two tenants in both protocol eras checked against psql under row-level security, and
// the incidents of issue 15 one after the other. Prints a report; exit 0 only if every
// expectation held. Environment: SCALE_WORK (temporary directory, pids listed in SCALE_WORK/pids
// for the script's cleanup), SCALE_PRIMARY/SCALE_STANDBY/SCALE_BOUNCER (ports), SCALE_SHORT=1.
import { spawn, execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync, writeFileSync, appendFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { startHttp, signHs, now, freePort, httpsFetch, waitFor, writeTemp } from "../harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../../..");
const work = process.env.SCALE_WORK;
const ports = { primary: process.env.SCALE_PRIMARY, standby: process.env.SCALE_STANDBY, bouncer: process.env.SCALE_BOUNCER };
const short = process.env.SCALE_SHORT === "1";
const phaseMs = short ? 1500 : 8000;  // load before and after each incident
const workers = { stateless: short ? 4 : 8, sessions: short ? 6 : 12 };
const secret = "scale-demo-secret-that-is-at-least-32-bytes";
const tenants = ["acme", "globex"];
const replicaNames = ["r1", "r2", "r3"];

const t0 = Date.now();
const log = (msg) => process.stderr.write(`[scale-demo +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const token = (tenant) => signHs({ role: "scale_tenant", tenant, sub: `user-${tenant}`, exp: now() + 3600 }, secret);
const failures = [];
const expect = (ok, what) => { if (!ok) failures.push(what); log(`${ok ? "ok  " : "FAIL"} ${what}`); };

// --- the database, as psql sees it -----------------------------------------------------------
function psql(sql, port = ports.primary) {
  return execFileSync("psql", ["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", port, "-U", "postgres",
                               "-d", "scale", "-c", sql], { encoding: "utf8" }).trim();
}
// What `tenant` sees of `table` under row-level security, as the role in its token.
function countAs(tenant, table) {
  const out = psql(`BEGIN; SET LOCAL ROLE scale_tenant;
    SELECT set_config('request.jwt.claims', '{"tenant":"${tenant}"}', true);
    SELECT count(*) FROM ${table}; COMMIT;`);
  return Number(out.split("\n").filter((l) => /^\d+$/.test(l)).pop());
}

// The incidents run without blocking the event loop: the load goes on while they happen.
const run = promisify(execFile);

// --- the stack ---------------------------------------------------------------------------------
function recordPid(pid) { appendFileSync(join(work, "pids"), `${pid}\n`); }

async function startReplica(name) {
  const dsn = `host=127.0.0.1,127.0.0.1 port=${ports.standby},${ports.bouncer} dbname=scale user=scale_reader ` +
              "target_session_attrs=prefer-standby connect_timeout=3";
  const config = `
[schema]
listen_dsn = "host=127.0.0.1 port=${ports.primary} dbname=scale user=scale_reader"
[pool]
min = 2
max = 10
[http]
replica_id = "${name}"
[auth]
mode = "jwt"
jwt_secret_file = "${writeTemp("jwt.secret", secret)}"
allowed_roles = ["scale_tenant"]
`;
  const server = await startHttp(config, [], { dsn });
  recordPid(server.proc.pid);
  return { name, ...server };
}

// deploy/nginx.conf with the rehearsal's addresses: each 10.0.0.1N:8808 becomes replica N's
// loopback port; listeners, server name and certificate as in tests/e2e/nginx.test.mjs.
function templateNginx(text, replicas, tlsPort, plainPort) {
  const sub = (pattern, replacement, count) => {
    const n = (text.match(pattern) ?? []).length;
    if (n !== count) throw new Error(`deploy/nginx.conf: ${pattern} matched ${n} times, expected ${count}`);
    text = text.replace(pattern, replacement);
  };
  replicas.forEach((r, i) => sub(new RegExp(`server 10\\.0\\.0\\.1${i + 1}:8808`, "g"), `server 127.0.0.1:${r.port}`, 2));
  sub(/^( *)listen \[::\]:(80|443)[^;]*;$/gm, "$1# (IPv6 listener removed by scale-demo)", 3);
  sub(/^( *)listen 80;$/gm, `$1listen 127.0.0.1:${plainPort};`, 1);
  sub(/^( *)listen 443 /gm, `$1listen 127.0.0.1:${tlsPort} `, 2);
  sub(/server_name pgmcp\.example\.com;/g, "server_name localhost;", 2);
  sub(/ssl_certificate +\/etc\/ssl\/pgmcp\/fullchain\.pem;/g, `ssl_certificate ${join(work, "cert.pem")};`, 1);
  sub(/ssl_certificate_key +\/etc\/ssl\/pgmcp\/privkey\.pem;/g, `ssl_certificate_key ${join(work, "key.pem")};`, 1);
  return text;
}

async function startNginx(replicas) {
  const dir = join(work, "nginx");
  const tlsPort = await freePort(), plainPort = await freePort();
  writeFileSync(join(dir, "pgmcp.conf"), templateNginx(readFileSync(join(root, "deploy/nginx.conf"), "utf8"), replicas, tlsPort, plainPort));
  const temp = (name) => `${name}_temp_path ${join(dir, name)};`;
  writeFileSync(join(dir, "nginx.conf"), `
${process.getuid() === 0 ? "user nobody nogroup;" : ""}
worker_processes 1;
events { worker_connections 1024; }
http {
  access_log ${join(dir, "access.log")};
  ${temp("client_body")} ${temp("proxy")} ${temp("fastcgi")} ${temp("uwsgi")} ${temp("scgi")}
  include ${join(dir, "pgmcp.conf")};
}
`);
  const proc = spawn("/usr/sbin/nginx", ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", "stderr",
                                         "-g", `daemon off; pid ${join(dir, "nginx.pid")}; error_log stderr error;`],
                     { stdio: ["ignore", "ignore", "inherit"] });
  recordPid(proc.pid);
  const fetchTls = httpsFetch(readFileSync(join(work, "cert.pem")));
  const origin = `https://localhost:${tlsPort}`;
  await waitFor("nginx to answer over TLS", async () => (await fetchTls(`${origin}/healthz`)).status === 200, 15000);
  return { proc, fetchTls, url: `${origin}/mcp` };
}

// --- the clients ---------------------------------------------------------------------------------
const stats = { calls: 0, ok: 0, errors: {}, wrong: 0, byEra: { stateless: 0, session: 0 } };
const countError = (kind) => { stats.errors[kind] = (stats.errors[kind] ?? 0) + 1; };
let errorLog = [];  // { at, kind, era, replica }
let expected;       // tenant -> rows of orders it sees

function checkAnswer(tenant, structured) {
  const rows = structured?.rows;
  const ok = Array.isArray(rows) && rows.length === 1 && Number(rows[0][0]) === expected[tenant];
  if (!ok) { stats.wrong += 1; errorLog.push({ at: Date.now(), kind: "wrong answer", detail: JSON.stringify(structured) }); }
  return ok;
}
const countCall = { name: "query_orders", arguments: { aggregates: [{ fn: "count" }] } };

// One stateless (2026-07-28) tools/call: a plain POST, any replica may answer.
async function statelessCall(proxy, tenant, call = countCall) {
  const body = { jsonrpc: "2.0", id: 1, method: "tools/call",
                 params: { ...call, _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                                             "io.modelcontextprotocol/clientCapabilities": {} } } };
  const res = await proxy.fetch(proxy.url, { method: "POST", body: JSON.stringify(body), headers: {
    "Content-Type": "application/json", Accept: "application/json, text/event-stream", Authorization: `Bearer ${token(tenant)}`,
    "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": call.name } });
  const text = await res.text();
  if (res.status !== 200) throw Object.assign(new Error(`HTTP ${res.status}`), { kind: `stateless HTTP ${res.status}` });
  const data = text.startsWith("{") ? text : text.split("\n").filter((l) => l.startsWith("data:")).pop()?.slice(5);
  const reply = JSON.parse(data);
  if (reply.error) throw Object.assign(new Error(reply.error.message), { kind: `stateless JSON-RPC ${reply.error.code}` });
  if (reply.result.isError) throw Object.assign(new Error(reply.result.content?.[0]?.text), { kind: `stateless tool error: ${reply.result.content?.[0]?.text?.slice(0, 60)}` });
  return reply.result.structuredContent;
}

// A session-era (2025-11-25) client through nginx; re-initializes when its session is gone (404).
class SessionClient {
  constructor(proxy, tenant) { this.proxy = proxy; this.tenant = tenant; this.reinitialized = 0; this.listChanged = []; }
  async open() {
    this.transport = new StreamableHTTPClientTransport(new URL(this.proxy.url), {
      fetch: this.proxy.fetch, requestInit: { headers: { Authorization: `Bearer ${token(this.tenant)}` } } });
    this.client = new Client({ name: "scale-demo", version: "1.0.0" });
    this.client.setNotificationHandler(ToolListChangedNotificationSchema, () => this.listChanged.push(Date.now()));
    await this.client.connect(this.transport);
    await this.client.listTools();  // the GET stream is open once this returns
  }
  get replica() { return this.transport?.sessionId?.split("-")[0]; }
  async call(call = countCall) {
    try {
      const r = await this.client.callTool(call);
      if (r.isError) throw Object.assign(new Error(r.content?.[0]?.text), { kind: `session tool error: ${r.content?.[0]?.text?.slice(0, 60)}` });
      return r.structuredContent;
    } catch (e) {
      if (e.code !== 404) throw Object.assign(e, { kind: e.kind ?? `session ${e.code ?? e.message}` });
      // The replica that held the session is gone: start a new session, as the spec requires.
      countError("session 404 (re-initialized)");
      errorLog.push({ at: Date.now(), kind: "session 404", replica: this.replica });
      this.gone = (this.gone ?? 0) + 1;
      await this.client.close().catch(() => {});
      await this.open();
      this.reinitialized += 1;
      this.reinitializedAt = Date.now();
      return this.call(call);
    }
  }
}

// Load until stop(): each worker calls in a loop and checks every answer.
function startLoad(proxy, sessions) {
  let running = true;
  const inFlight = { stateless: 0, session: 0 };
  const loop = async (era, tenant, once) => {
    while (running) {
      inFlight[era] += 1;
      try {
        const structured = await once();
        stats.calls += 1; stats.byEra[era] += 1;
        if (checkAnswer(tenant, structured)) stats.ok += 1;
      } catch (e) {
        stats.calls += 1; stats.byEra[era] += 1;
        const kind = e.kind ?? `${era} ${e.message}`;
        countError(kind);
        errorLog.push({ at: Date.now(), kind, era });
      } finally { inFlight[era] -= 1; }
    }
  };
  const done = [];
  for (let i = 0; i < workers.stateless; ++i) {
    const tenant = tenants[i % 2];
    done.push(loop("stateless", tenant, () => statelessCall(proxy, tenant)));
  }
  for (const s of sessions) done.push(loop("session", s.tenant, () => s.call()));
  return { inFlight, stop: async () => { running = false; await Promise.all(done); } };
}

// Errors logged from `since` on, by kind.
const errorsSince = (since, kinds = null) => errorLog.filter((e) => e.at >= since && (!kinds || kinds.some((k) => e.kind.includes(k))));

// Stateless subscribers (2026-07-28 `subscriptions/listen`): one per live replica directly and
// one through nginx, each an SSE stream that stays open. Each records when it got
// notifications/tools/list_changed; close() ends the streams.
async function openStatelessSubscribers(targets, tenant) {
  const subscribers = [];
  for (const target of targets) {
    const controller = new AbortController();
    const body = { jsonrpc: "2.0", id: `listen-${subscribers.length}`, method: "subscriptions/listen",
                   params: { _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                                      "io.modelcontextprotocol/clientCapabilities": {} },
                             notifications: { toolsListChanged: true } } };
    const res = await target.fetch(target.url, { method: "POST", body: JSON.stringify(body), signal: controller.signal,
      headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream",
                 Authorization: `Bearer ${token(tenant)}`, "MCP-Protocol-Version": "2026-07-28",
                 "Mcp-Method": "subscriptions/listen" } });
    if (res.status !== 200) throw new Error(`subscriptions/listen at ${target.url}: HTTP ${res.status}`);
    const sub = { target: target.url, acknowledged: false, times: [], controller };
    (async () => {
      const decoder = new TextDecoder();
      let buffered = "";
      try {
        for await (const chunk of res.body) {
          buffered += decoder.decode(chunk, { stream: true });
          let nl;
          while ((nl = buffered.indexOf("\n")) >= 0) {
            const line = buffered.slice(0, nl);
            buffered = buffered.slice(nl + 1);
            if (!line.startsWith("data:")) continue;
            const method = JSON.parse(line.slice(5)).method;
            if (method === "notifications/subscriptions/acknowledged") sub.acknowledged = true;
            if (method === "notifications/tools/list_changed") sub.times.push(Date.now());
          }
        }
      } catch { /* closed */ }
    })();
    subscribers.push(sub);
  }
  await waitFor("every subscription acknowledged", async () => subscribers.every((s) => s.acknowledged), 5000);
  return { subscribers, close: () => subscribers.forEach((s) => s.controller.abort()) };
}

// --- the rehearsal -------------------------------------------------------------------------------
const report = {};
async function main() {
  expected = Object.fromEntries(tenants.map((t) => [t, countAs(t, "orders")]));
  log(`rows per tenant under RLS (psql): ${JSON.stringify(expected)}`);

  const replicas = [];
  for (const name of replicaNames) replicas.push(await startReplica(name));
  log(`replicas: ${replicas.map((r) => `${r.name}=127.0.0.1:${r.port}`).join(" ")}`);
  const nginx = await startNginx(replicas);
  const proxy = { url: nginx.url, fetch: nginx.fetchTls };
  log(`nginx: ${nginx.url}`);

  // Session clients: initialize balanced by nginx until every replica holds some.
  const sessions = [];
  for (let i = 0; sessions.length < workers.sessions || (i < 30 && new Set(sessions.map((s) => s.replica)).size < 3); ++i) {
    const s = new SessionClient(proxy, tenants[i % 2]);
    await s.open();
    sessions.push(s);
  }
  const perReplica = Object.fromEntries(replicaNames.map((n) => [n, sessions.filter((s) => s.replica === n).length]));
  log(`sessions per replica: ${JSON.stringify(perReplica)}`);
  expect(replicaNames.every((n) => perReplica[n] > 0), "nginx spreads initialize over all three replicas");

  const load = startLoad(proxy, sessions);
  await sleep(phaseMs);
  expect(stats.calls > 0 && errorsSince(0).length === 0, `steady load: ${stats.calls} calls, no error, every answer as psql says`);

  // 1. Kill a replica.
  const victim = replicas[0];
  const victimSessions = sessions.filter((s) => s.replica === victim.name);
  const inFlightAtKill = load.inFlight.stateless;
  const killedAt = Date.now();
  victim.proc.kill("SIGKILL");
  log(`killed replica ${victim.name} (${victimSessions.length} sessions, ${inFlightAtKill} stateless calls in flight)`);
  await sleep(phaseMs);
  const statelessLost = errorsSince(killedAt).filter((e) => e.era === "stateless").length;
  expect(statelessLost <= inFlightAtKill, `stateless clients lost ${statelessLost} calls (at most the ${inFlightAtKill} in flight)`);
  // A session learns at its next call that its replica is gone (404), then opens a new one
  // (initialize, the GET stream, tools/list): under ASan on a busy machine that can outlast the
  // phase, so the check waits for it, up to a bound.
  await waitFor("the killed replica's sessions to re-initialize",
                async () => victimSessions.every((s) => s.reinitialized >= 1), 15000).catch(() => {});
  expect(victimSessions.every((s) => s.reinitialized >= 1 && s.replica !== victim.name),
         `all ${victimSessions.length} sessions of ${victim.name} got 404 and re-initialized on another replica`);
  expect(errorsSince(killedAt).filter((e) => e.era === "session").length === 0,
         "no session call failed other than by 404 (never another replica's answer)");
  report.replicaKill = { statelessLost, inFlightAtKill, reinitialized: victimSessions.filter((s) => s.reinitialized >= 1).length,
                         reinitMs: Math.max(0, ...victimSessions.map((s) => (s.reinitializedAt ?? killedAt) - killedAt)) };

  // 2. Stop the standby: reads move to the next host (PgBouncer, the primary).
  const haltedAt = Date.now();
  await run(join(root, "tests/support/pg_cluster"), ["down", join(work, "standby")]);
  log("standby stopped");
  await sleep(phaseMs);
  const afterHalt = errorsSince(haltedAt);
  const lastHaltError = Math.max(haltedAt, ...afterHalt.map((e) => e.at));
  // Calls running on the standby as it shuts down fail (their connection is terminated); each
  // worker may be caught more than once while the shutdown lasts, so the bound is on time.
  expect(afterHalt.every((e) => e.at - haltedAt <= 1000),
         `standby stop: ${afterHalt.length} calls failed, all within 1 s of the stop (those caught by the shutdown)`);
  expect(errorsSince(haltedAt + 2000).length === 0, "reads move on: no error from 2 s after the standby stopped");
  report.standbyStop = { failedCalls: afterHalt.length, failoverMs: lastHaltError - haltedAt,
                         errors: [...new Set(afterHalt.map((e) => e.kind))] };

  // 3. A migration on the primary: list_changed for every session of every replica within 2 s,
  // and the new table callable on every replica.
  for (const s of sessions) s.listChanged = [];
  const listeners = await openStatelessSubscribers(
    [proxy, ...replicas.slice(1).map((r) => ({ url: r.url, fetch }))], tenants[0]);
  const migratedAt = Date.now();
  await run("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", ports.primary, "-U", "postgres", "-d", "scale", "-c", `BEGIN;
    CREATE TABLE shipments (id integer PRIMARY KEY, tenant text NOT NULL, carrier text NOT NULL);
    INSERT INTO shipments SELECT g, CASE WHEN g % 2 = 0 THEN 'acme' ELSE 'globex' END, 'dhl' FROM generate_series(1, ${short ? 10 : 40}) g;
    ALTER TABLE shipments ENABLE ROW LEVEL SECURITY;
    CREATE POLICY tenant_isolation ON shipments FOR SELECT TO scale_tenant
      USING (tenant = current_setting('request.jwt.claims', true)::jsonb ->> 'tenant');
    GRANT SELECT ON shipments TO scale_tenant;
    NOTIFY pgmcp, 'reload schema';
    COMMIT;`]);
  log("migration applied on the primary (CREATE TABLE shipments; NOTIFY pgmcp)");
  await waitFor("every session to get list_changed", async () => sessions.every((s) => s.listChanged.length > 0), 5000).catch(() => {});
  const lags = sessions.map((s) => (s.listChanged.length ? s.listChanged[0] - migratedAt : Infinity));
  const worst = Math.max(...lags);
  expect(worst <= 2000, `every one of ${sessions.length} sessions got tools/list_changed within 2 s (slowest ${worst} ms)`);
  await waitFor("every subscriber to get list_changed",
                async () => listeners.subscribers.every((l) => l.times.length > 0), 5000).catch(() => {});
  listeners.close();
  const subscriberLags = listeners.subscribers.map((l) => (l.times.length ? l.times[0] - migratedAt : Infinity));
  const slowestSubscriber = Math.max(...subscriberLags);
  expect(slowestSubscriber <= 2000, `every one of ${subscriberLags.length} stateless subscribers (subscriptions/listen, ` +
                                    `through nginx and on each live replica) got list_changed within 2 s (slowest ${slowestSubscriber} ms)`);
  const shipmentsCall = { name: "query_shipments", arguments: { aggregates: [{ fn: "count" }] } };
  const live = replicas.slice(1);
  const callable = [];
  for (const r of live) {
    for (const tenant of tenants) {
      const direct = { url: r.url, fetch };
      const got = await statelessCall(direct, tenant, shipmentsCall).then((sc) => Number(sc.rows[0][0])).catch((e) => e.message);
      callable.push(got === countAs(tenant, "shipments"));
    }
  }
  expect(callable.every(Boolean), `query_shipments answers as psql on every live replica, for both tenants`);
  report.migration = { sessions: sessions.length, slowestListChangedMs: worst,
                       medianListChangedMs: lags.sort((a, b) => a - b)[Math.floor(lags.length / 2)],
                       statelessSubscribers: subscriberLags.length, slowestSubscriberMs: slowestSubscriber };

  // 4. Restart PgBouncer (with the standby down, every read goes through it).
  const bouncedAt = Date.now();
  await run(join(root, "tests/support/pgbouncer"), ["restart", join(work, "bouncer")]);
  const restartedAt = Date.now();
  log(`PgBouncer restarted (${restartedAt - bouncedAt} ms)`);
  await sleep(phaseMs);
  const afterBounce = errorsSince(bouncedAt);
  const lastBounceError = Math.max(restartedAt, ...afterBounce.map((e) => e.at));
  expect(errorsSince(restartedAt + 2000).length === 0, "calls succeed again from 2 s after PgBouncer is back");
  report.bouncerRestart = { failedCalls: afterBounce.length, recoveryMs: lastBounceError - bouncedAt };

  await load.stop();
  expect(stats.wrong === 0, `${stats.calls} answers checked against psql under RLS: ${stats.wrong} wrong`);
  for (const s of sessions) await s.client.close().catch(() => {});
  for (const r of live) await r.stop();
  nginx.proc.kill("SIGTERM");
  nginx.fetchTls.agent.destroy();
}

main().catch((e) => { failures.push(`rehearsal aborted: ${e.stack ?? e}`); log(`FAIL ${e.stack ?? e}`); }).finally(() => {
  const figures = { mode: short ? "short" : "full", calls: stats.calls, ok: stats.ok, byEra: stats.byEra, wrongAnswers: stats.wrong,
                    errorsByKind: stats.errors, ...report, seconds: (Date.now() - t0) / 1000 };
  process.stdout.write(`\nscale-demo report\n${JSON.stringify(figures, null, 2)}\n`);
  process.stdout.write(failures.length ? `\nFAILED (${failures.length}):\n- ${failures.join("\n- ")}\n` : "\nevery expectation held\n");
  process.exit(failures.length ? 1 : 0);
});
