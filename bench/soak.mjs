#!/usr/bin/env node
// The soak driver (docs/benchmarks.md, "Soak"; started by bench/soak, which sets up the database
// and the HTTP server): mixed load for --minutes over both transports and both eras — good calls,
// bad arguments, calls that hit statement_timeout, cancellations, SIGHUP reloads and session churn —
// while it samples each pgmcp's resident memory and open descriptors. Fails when either grew by
// more than 10 % after warm-up (the first 10 % of the run), or when a server died.
// Node built-ins only, like bench/load.mjs.
//
//   node bench/soak.mjs --url URL --pid HTTP_PID --secret-file FILE --role ROLE --http-config FILE
//        --bin PGMCP --dsn DSN --stdio-config FILE [--minutes 30] [--sample-seconds 5]
import http from "node:http";
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";

const { values: opt } = parseArgs({
  options: {
    url: { type: "string" }, pid: { type: "string" }, "secret-file": { type: "string" }, role: { type: "string" },
    "http-config": { type: "string" }, bin: { type: "string" }, dsn: { type: "string" },
    "stdio-config": { type: "string" }, minutes: { type: "string", default: "30" },
    "sample-seconds": { type: "string", default: "5" },
  },
});
for (const k of ["url", "pid", "secret-file", "role", "http-config", "bin", "dsn", "stdio-config"]) {
  if (!opt[k]) { console.error(`soak.mjs: --${k} is required`); process.exit(2); }
}
const url = new URL(opt.url);
const durationMs = Number(opt.minutes) * 60_000;
const sampleMs = Number(opt["sample-seconds"]) * 1000;
const secret = readFileSync(opt["secret-file"], "utf8").replace(/\n$/, "");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pick = (items) => items[Math.floor(Math.random() * items.length)];

// ---- What the calls are. The slow view takes 2 s; statement_timeout_ms is 1000 (bench/soak). ----
const sessionVersion = "2025-11-25";
const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} };
function callParams(kind) {
  switch (kind) {
    case "good": return pick([
      { name: "query_orders", arguments: { where: { customer_id: 1 + Math.floor(Math.random() * 2000) } } },
      { name: "query_customers", arguments: { limit: 20, order_by: [{ column: "id", direction: "desc" }] } },
      { name: "query_products", arguments: { limit: 5 } },
    ]);
    case "bad": return pick([
      { name: "query_orders", arguments: { where: { no_such_column: 1 } } },
      { name: "query_orders", arguments: { limit: "many" } },
      { name: "query_orders", arguments: { where: { customer_id: { between: [1] } } } },
    ]);
    default: return { name: "query_soak_slow", arguments: {} };  // "slow" and "cancel"
  }
}
const kinds = [["good", 0.6], ["bad", 0.15], ["slow", 0.1], ["cancel", 0.1], ["list", 0.05]];
function pickKind() {
  let r = Math.random();
  for (const [kind, p] of kinds) { if ((r -= p) < 0) return kind; }
  return "good";
}

// ---- Outcomes: expected ones by name, anything else is "unexpected" (and shown). ----
const outcomes = {};
const unexpected = [];
function count(outcome, detail) {
  outcomes[outcome] = (outcomes[outcome] || 0) + 1;
  if (outcome === "unexpected" && unexpected.length < 10 && !unexpected.includes(detail)) unexpected.push(detail);
}
function classify(kind, msg) {
  if (msg.error) return count(kind === "bad" ? "invalid" : "unexpected", `${kind}: JSON-RPC ${msg.error.code} ${msg.error.message}`);
  const result = msg.result;
  if (!result) return count("unexpected", `${kind}: no result`);
  if (kind === "list") return count(Array.isArray(result.tools) ? "listed" : "unexpected", "tools/list without tools");
  if (!result.isError) return count(kind === "good" ? "ok" : "unexpected", `${kind}: a result`);
  const text = (result.content || []).map((c) => c.text || "").join(" ");
  if (/busy/i.test(text)) return count("busy");
  if (kind === "slow" && /statement timeout/i.test(text)) return count("timeout");
  if (kind === "bad") return count("invalid");
  if (kind === "cancel") return count("cancelled");
  count("unexpected", `${kind}: ${text.slice(0, 160)}`);
}
function rpc(id, kind, stateless) {
  const method = kind === "list" ? "tools/list" : "tools/call";
  const params = kind === "list" ? {} : callParams(kind);
  if (stateless) params._meta = meta;
  return { jsonrpc: "2.0", id, method, params };
}

// ---- HTTP ----
const b64url = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
function token(sub) {
  const body = `${b64url({ alg: "HS256", typ: "JWT" })}.${b64url({ role: opt.role, sub, exp: Math.floor(Date.now() / 1000) + durationMs / 1000 + 3600 })}`;
  return `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
}
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
// Resolves {status, headers, body}; `abortAfterMs` destroys the request first (a client giving up).
function request(method, headers, body, abortAfterMs = 0) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const h = { "Content-Type": "application/json", Accept: "application/json, text/event-stream", ...headers };
    if (payload) h["Content-Length"] = payload.length;
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method, headers: h, agent }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.setTimeout(30_000, () => req.destroy(Object.assign(new Error("timed out"), { code: "TIMEOUT" })));
    if (abortAfterMs > 0) setTimeout(() => req.destroy(Object.assign(new Error("aborted"), { code: "ABORTED" })), abortAfterMs);
    req.on("error", reject);
    req.end(payload);
  });
}
function parseBody(res) {
  let text = res.body;
  if (String(res.headers["content-type"] || "").startsWith("text/event-stream")) {
    text = text.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).at(-1) ?? "";
  }
  return JSON.parse(text);
}
async function httpCall(headers, kind, id, stateless) {
  const message = rpc(id, kind, stateless);
  if (stateless) Object.assign(headers, { "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": message.method },
                               message.params.name ? { "Mcp-Name": message.params.name } : {});
  try {
    const res = await request("POST", headers, message, kind === "cancel" ? 150 : 0);
    // A session-era call cancelled by notifications/cancelled is never answered: its POST gets 202.
    if (kind === "cancel" && !stateless && res.status === 202) return count("cancelled");
    if (res.status !== 200) return count(kind === "bad" && res.status === 400 ? "invalid" : "unexpected", `${kind}: HTTP ${res.status} ${res.body.slice(0, 120)}`);
    classify(kind, parseBody(res));
  } catch (e) {
    count(e.code === "ABORTED" && kind === "cancel" ? "cancelled" : "unexpected", `${kind}: ${e.code || e.message}`);
  } finally {
    delete headers["Mcp-Method"];
    delete headers["Mcp-Name"];
  }
}
async function statelessWorker(n, deadline) {
  const headers = { Authorization: `Bearer ${token(`soak-stateless-${n}`)}` };
  for (let id = 1; Date.now() < deadline; id++) await httpCall(headers, pickKind(), id, true);
}
// Session churn: a session lives for 20 calls, then is DELETEd and a new one opened.
async function sessionWorker(n, deadline) {
  const auth = { Authorization: `Bearer ${token(`soak-session-${n}`)}` };
  while (Date.now() < deadline) {
    let headers;
    try {
      const init = await request("POST", auth, { jsonrpc: "2.0", id: 0, method: "initialize",
        params: { protocolVersion: sessionVersion, capabilities: {}, clientInfo: { name: "soak", version: "1" } } });
      const session = init.headers["mcp-session-id"];
      if (init.status !== 200 || !session) { count("unexpected", `initialize: HTTP ${init.status}`); await sleep(100); continue; }
      headers = { ...auth, "Mcp-Session-Id": session, "MCP-Protocol-Version": sessionVersion };
      await request("POST", headers, { jsonrpc: "2.0", method: "notifications/initialized" });
      count("session_opened");
    } catch (e) { count("unexpected", `initialize: ${e.code || e.message}`); await sleep(100); continue; }
    for (let id = 1; id <= 20 && Date.now() < deadline; id++) {
      const kind = pickKind();
      if (kind !== "cancel") { await httpCall(headers, kind, id, false); continue; }
      // A session-era cancellation: the call, then notifications/cancelled for it on another POST.
      const call = httpCall(headers, "cancel", id, false);
      await sleep(100);
      await request("POST", headers, { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: id, reason: "soak" } }).catch(() => {});
      await call;
    }
    const closed = await request("DELETE", headers).catch((e) => ({ status: e.code }));
    count(closed.status === 200 || closed.status === 204 ? "session_closed" : "unexpected", `DELETE: ${closed.status}`);
  }
}

// ---- stdio: one child, both eras on the one connection, cancellations by notification ----
const stdio = spawn(opt.bin, ["serve", "--dsn", opt.dsn, "--config", opt["stdio-config"]], { stdio: ["pipe", "pipe", "pipe"] });
let stdioExit = null;
stdio.on("exit", (code, signal) => { stdioExit = signal || code; });
stdio.stderr.on("data", () => {});  // the child logs; nothing of it is needed here
const pending = new Map();
createInterface({ input: stdio.stdout }).on("line", (line) => {
  let msg;
  try { msg = JSON.parse(line); } catch { return count("unexpected", `stdio: not JSON: ${line.slice(0, 80)}`); }
  const waiter = pending.get(msg.id);
  if (waiter) { pending.delete(msg.id); waiter(msg); }
});
let stdioId = 1;
function stdioSend(message) { stdio.stdin.write(JSON.stringify(message) + "\n"); }
function stdioRequest(message) {
  return new Promise((resolve) => { pending.set(message.id, resolve); stdioSend(message); });
}
async function stdioWorker(deadline) {
  while (Date.now() < deadline && stdioExit === null) {
    const kind = pickKind();
    const stateless = Math.random() < 0.5;
    const message = rpc(stdioId++, kind, stateless);
    if (kind !== "cancel") { classify(kind, await stdioRequest(message)); continue; }
    // A cancelled request is never answered: stop waiting for it once the cancellation is sent.
    const answered = stdioRequest(message);
    await sleep(100);
    if (pending.delete(message.id)) {
      stdioSend({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: message.id, reason: "soak" } });
      count("cancelled");
    } else {
      classify(kind, await answered);
    }
  }
}

// ---- Reloads: every minute, a changed config file and SIGHUP to both servers ----
const reloadable = [opt["http-config"], opt["stdio-config"]].map((f) => ({ file: f, text: readFileSync(f, "utf8") }));
let reloads = 0;
function reload(pids) {
  reloads++;
  for (const { file, text } of reloadable) writeFileSync(file, text.replace(/max_rows = \d+/, `max_rows = ${reloads % 2 ? 500 : 1000}`));
  for (const pid of pids) { try { process.kill(pid, "SIGHUP"); } catch { count("unexpected", `SIGHUP ${pid}: gone`); } }
}

// ---- Samples: resident memory and open descriptors of both servers ----
function sample(pid) {
  try {
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]);
    return { rss, fds: readdirSync(`/proc/${pid}/fd`).length };
  } catch { return null; }
}
const samples = [];  // {t, http: {rss, fds}, stdio: {rss, fds}, calls}
const totalCalls = () => Object.entries(outcomes).filter(([k]) => !k.startsWith("session_")).reduce((a, [, v]) => a + v, 0);

// ---- Run ----
const started = Date.now();
const deadline = started + durationMs;
const httpPid = Number(opt.pid);
await stdioRequest({ jsonrpc: "2.0", id: 0, method: "initialize",
  params: { protocolVersion: sessionVersion, capabilities: {}, clientInfo: { name: "soak", version: "1" } } });
stdioSend({ jsonrpc: "2.0", method: "notifications/initialized" });
const sampler = setInterval(() => {
  samples.push({ t: (Date.now() - started) / 1000, http: sample(httpPid), stdio: sample(stdio.pid), calls: totalCalls() });
}, sampleMs);
const reloader = setInterval(() => reload([httpPid, stdio.pid]), 60_000);
await Promise.all([
  ...[0, 1, 2, 3].map((n) => statelessWorker(n, deadline)),
  ...[0, 1, 2].map((n) => sessionWorker(n, deadline)),
  stdioWorker(deadline), stdioWorker(deadline),
]);
clearInterval(sampler);
clearInterval(reloader);
samples.push({ t: (Date.now() - started) / 1000, http: sample(httpPid), stdio: sample(stdio.pid), calls: totalCalls() });
stdio.stdin.end();
await new Promise((r) => (stdioExit !== null ? r() : stdio.on("exit", r)));

// ---- Report: ten rows (one per tenth of the run), growth after warm-up, verdict ----
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
const tenth = (i) => samples.filter((s) => s.t > (i * durationMs) / 10_000 && s.t <= ((i + 1) * durationMs) / 10_000 + 1);
console.log("\n  min  http RSS kB  http fds  stdio RSS kB  stdio fds     calls");
for (let i = 0; i < 10; i++) {
  const rows = tenth(i).filter((s) => s.http && s.stdio);
  if (!rows.length) continue;
  const last = rows.at(-1);
  console.log(`${(last.t / 60).toFixed(1).padStart(5)}  ${String(last.http.rss).padStart(11)}  ${String(last.http.fds).padStart(8)}` +
              `  ${String(last.stdio.rss).padStart(12)}  ${String(last.stdio.fds).padStart(9)}  ${String(last.calls).padStart(8)}`);
}
// Growth: the mean of the tenth after warm-up against the mean of the last tenth. Descriptors
// are few, so a change of up to 2 is noise (a keep-alive connection more or less), not growth.
const failures = [];
const report = {};
for (const server of ["http", "stdio"]) {
  for (const what of ["rss", "fds"]) {
    const before = mean(tenth(1).filter((s) => s[server]).map((s) => s[server][what]));
    const after = mean(tenth(9).filter((s) => s[server]).map((s) => s[server][what]));
    const growth = before > 0 ? (after - before) / before : NaN;
    report[`${server}_${what}`] = { after_warmup: Math.round(before), end: Math.round(after), growth_pct: +(growth * 100).toFixed(1) };
    if (!(growth <= 0.1) && !(what === "fds" && after - before <= 2)) failures.push(`${server} ${what} grew ${(growth * 100).toFixed(1)} %`);
  }
}
if (!sample(httpPid)) failures.push("the HTTP server died");
if (stdioExit !== 0) failures.push(`the stdio server exited with ${stdioExit}`);
console.log("\ngrowth after warm-up:", JSON.stringify(report));
console.log("outcomes:", JSON.stringify(outcomes), "reloads:", reloads, `calls/s: ${(totalCalls() / (durationMs / 1000)).toFixed(1)}`);
if (unexpected.length) console.log("unexpected (first 10 kinds):\n  " + unexpected.join("\n  "));
if (failures.length) {
  console.log(`soak: FAILED: ${failures.join("; ")}`);
  process.exit(1);
}
console.log("soak: passed");
process.exit(0);
