#!/usr/bin/env node
// Load generator for pgmcp over Streamable HTTP: N concurrent clients make tools/call requests for
// T seconds, in either protocol era, authenticated with HS256 JWTs; it reports calls/s, latency
// percentiles, errors by kind and pgmcp's resident memory. Node built-ins only (no npm packages),
// so that it runs on a fresh machine and costs as little CPU as a Node client can.
//
//   node bench/load.mjs --url http://127.0.0.1:PORT/mcp --era session|stateless --clients N
//        --duration SECONDS --secret-file FILE --role ROLE [--audience AUD] [--pid PGMCP_PID]
//        [--tool query_orders] [--column customer_id] [--max-value 2000] [--out result.json]
//        [--label TEXT]
//
// session   : each client initializes its own session (initialize + notifications/initialized),
//             then calls with Mcp-Session-Id; at the end it DELETEs its session.
// stateless : every request carries the 2026-07-28 _meta and the MCP-Protocol-Version, Mcp-Method
//             and Mcp-Name headers; there is no session.
// Every call is {"where": {COLUMN: V}} with V cycling over 1..max-value, so each client asks a
// different question each time (the same call bench/run gives pgbench).
//
// Errors are counted by kind: http_<status>, jsonrpc_<code>, busy (an isError result saying the
// server is busy: the clean overload answer), tool_error (any other isError result), network_<code>.
import http from "node:http";
import { readFileSync } from "node:fs";
import { writeFileSync } from "node:fs";
import { createHmac } from "node:crypto";
import { parseArgs } from "node:util";

const { values: opt } = parseArgs({
  options: {
    url: { type: "string" },
    era: { type: "string", default: "stateless" },
    clients: { type: "string", default: "10" },
    duration: { type: "string", default: "30" },
    "secret-file": { type: "string" },
    role: { type: "string", default: "bench_reader" },
    audience: { type: "string", default: "" },
    pid: { type: "string", default: "" },
    tool: { type: "string", default: "query_orders" },
    column: { type: "string", default: "customer_id" },
    "max-value": { type: "string", default: "2000" },
    out: { type: "string", default: "" },
    label: { type: "string", default: "" },
    "timeout-ms": { type: "string", default: "30000" },
  },
});
if (!opt.url || !opt["secret-file"]) {
  console.error("usage: load.mjs --url URL --secret-file FILE [--era session|stateless] [--clients N] [--duration S] ...");
  process.exit(2);
}
if (!["session", "stateless"].includes(opt.era)) {
  console.error(`load.mjs: --era must be session or stateless, not ${opt.era}`);
  process.exit(2);
}
const url = new URL(opt.url);
const clients = Number(opt.clients);
const durationMs = Number(opt.duration) * 1000;
const maxValue = Number(opt["max-value"]);
const requestTimeoutMs = Number(opt["timeout-ms"]);
const secret = readFileSync(opt["secret-file"], "utf8").replace(/\n$/, "");

// ---- JWT (HS256), one token per client: the server verifies it on every request. ----
const b64url = (v) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");
function signHs256(payload) {
  const head = b64url({ alg: "HS256", typ: "JWT" });
  const body = b64url(payload);
  const sig = createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${sig}`;
}
const now = () => Math.floor(Date.now() / 1000);
function tokenFor(i) {
  const claims = { role: opt.role, sub: `bench-client-${i}`, exp: now() + Math.ceil(durationMs / 1000) + 600 };
  if (opt.audience) claims.aud = opt.audience;
  return signHs256(claims);
}

// ---- HTTP: one keep-alive connection per client (maxSockets = clients). ----
const agent = new http.Agent({ keepAlive: true, maxSockets: clients, maxFreeSockets: clients });
function request(method, headers, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(body);
    const h = { ...headers };
    if (payload) h["Content-Length"] = payload.length;
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method, headers: h, agent }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.setTimeout(requestTimeoutMs, () => req.destroy(Object.assign(new Error("request timed out"), { code: "TIMEOUT" })));
    req.on("error", reject);
    req.end(payload);
  });
}

// A JSON-RPC response from a JSON body, or from the last `data:` line of an SSE body.
function parseRpc(res) {
  const type = String(res.headers["content-type"] || "");
  let text = res.body;
  if (type.startsWith("text/event-stream")) {
    const data = text.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim());
    text = data.at(-1) ?? "";
  }
  return JSON.parse(text);
}

const sessionVersion = "2025-11-25";
const statelessVersion = "2026-07-28";
const meta = { "io.modelcontextprotocol/protocolVersion": statelessVersion, "io.modelcontextprotocol/clientCapabilities": {} };
const baseHeaders = { "Content-Type": "application/json", Accept: "application/json, text/event-stream" };

// ---- Counters ----
const latencies = [];  // ms, one per completed call inside the window
const errors = {};
let calls = 0;
let okCalls = 0;
const countError = (kind) => { errors[kind] = (errors[kind] || 0) + 1; };

// Classifies one tools/call exchange; returns true when it was a successful result.
function classify(res) {
  if (res.status !== 200) { countError(`http_${res.status}`); return false; }
  let msg;
  try { msg = parseRpc(res); } catch { countError("bad_json"); return false; }
  if (msg.error) { countError(`jsonrpc_${msg.error.code}`); return false; }
  const result = msg.result;
  if (!result) { countError("no_result"); return false; }
  if (result.isError) {
    const text = (result.content || []).map((c) => c.text || "").join(" ");
    countError(/busy/i.test(text) ? "busy" : "tool_error");
    if (!/busy/i.test(text) && !errors._example) errors._example = text.slice(0, 200);
    return false;
  }
  return true;
}

// ---- RSS sampling of the server every 100 ms ----
function readRssKb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rss = /VmRSS:\s+(\d+)/.exec(status);
    const hwm = /VmHWM:\s+(\d+)/.exec(status);
    const anon = /RssAnon:\s+(\d+)/.exec(status);
    return { rss: rss ? Number(rss[1]) : NaN, hwm: hwm ? Number(hwm[1]) : NaN, anon: anon ? Number(anon[1]) : NaN };
  } catch { return { rss: NaN, hwm: NaN, anon: NaN }; }
}
const pid = opt.pid;
// before/after: VmRSS; anon_*: RssAnon (heap and stacks, without the mapped binary and libraries);
// peak_kb: the highest 100 ms sample; hwm_kb: the kernel's VmHWM (peak since the process started).
const rss = { before_kb: NaN, peak_kb: NaN, end_of_load_kb: NaN, after_kb: NaN, hwm_kb: NaN,
              anon_before_kb: NaN, anon_after_kb: NaN, samples: 0 };
let sampler;
function startSampling() {
  if (!pid) return;
  rss.peak_kb = 0;
  sampler = setInterval(() => {
    const { rss: kb } = readRssKb(pid);
    if (kb > rss.peak_kb) rss.peak_kb = kb;
    rss.samples++;
  }, 100);
}

// CPU time (user + system) of the server in seconds, from /proc/<pid>/stat (clock ticks of 10 ms).
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;  // utime, stime (fields 14 and 15)
  } catch { return NaN; }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- One client ----
async function openSession(token) {
  const auth = { ...baseHeaders, Authorization: `Bearer ${token}` };
  const init = await request("POST", auth, JSON.stringify({ jsonrpc: "2.0", id: 0, method: "initialize",
    params: { protocolVersion: sessionVersion, capabilities: {}, clientInfo: { name: "pgmcp-bench", version: "1" } } }));
  if (init.status !== 200) throw new Error(`initialize: HTTP ${init.status} ${init.body.slice(0, 200)}`);
  const session = init.headers["mcp-session-id"];
  if (!session) throw new Error("initialize: no Mcp-Session-Id");
  const headers = { ...auth, "Mcp-Session-Id": session, "MCP-Protocol-Version": sessionVersion };
  const ack = await request("POST", headers, JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
  if (ack.status !== 202) throw new Error(`notifications/initialized: HTTP ${ack.status}`);
  return headers;
}

let valueCounter = 0;
async function runClient(i, headers, deadline) {
  let id = 1;
  while (Date.now() < deadline) {
    const value = 1 + (valueCounter++ % maxValue);
    const params = { name: opt.tool, arguments: { where: { [opt.column]: value } } };
    if (opt.era === "stateless") params._meta = meta;
    const body = JSON.stringify({ jsonrpc: "2.0", id: id++, method: "tools/call", params });
    const started = performance.now();
    let res;
    try {
      res = await request("POST", headers, body);
    } catch (e) {
      countError(`network_${e.code || e.message}`);
      calls++;
      await sleep(10);  // a refused connection must not become a busy loop
      continue;
    }
    const ms = performance.now() - started;
    calls++;
    if (classify(res)) okCalls++;
    latencies.push(ms);
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const k = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[k];
}

async function main() {
  const tokens = Array.from({ length: clients }, (_, i) => tokenFor(i));
  if (pid) { const r = readRssKb(pid); rss.before_kb = r.rss; rss.anon_before_kb = r.anon; }
  startSampling();

  // Set-up (not timed): sessions for the session era; headers for the stateless one.
  const setupStarted = performance.now();
  let headerSets;
  if (opt.era === "session") {
    headerSets = await Promise.all(tokens.map((t) => openSession(t)));
  } else {
    headerSets = tokens.map((t) => ({ ...baseHeaders, Authorization: `Bearer ${t}`, "MCP-Protocol-Version": statelessVersion,
                                       "Mcp-Method": "tools/call", "Mcp-Name": opt.tool }));
  }
  const setupMs = performance.now() - setupStarted;

  const started = performance.now();
  const serverCpu0 = pid ? cpuSeconds(pid) : NaN;
  const selfCpu0 = process.cpuUsage();
  const deadline = Date.now() + durationMs;
  await Promise.all(headerSets.map((h, i) => runClient(i, h, deadline)));
  const elapsedS = (performance.now() - started) / 1000;
  const serverCpu = pid ? cpuSeconds(pid) - serverCpu0 : NaN;
  const selfCpuUs = process.cpuUsage(selfCpu0);
  const selfCpu = (selfCpuUs.user + selfCpuUs.system) / 1e6;
  if (pid) rss.end_of_load_kb = readRssKb(pid).rss;

  // Session era: close the sessions as a well-behaved client does, then let the server settle.
  let deleted = 0;
  if (opt.era === "session") {
    const results = await Promise.allSettled(headerSets.map((h) => request("DELETE", h)));
    deleted = results.filter((r) => r.status === "fulfilled" && r.value.status === 204).length;
  }
  agent.destroy();
  await sleep(2000);
  if (sampler) clearInterval(sampler);
  if (pid) {
    const last = readRssKb(pid);
    rss.after_kb = last.rss;
    rss.hwm_kb = last.hwm;
    rss.anon_after_kb = last.anon;
    if (rss.end_of_load_kb > rss.peak_kb) rss.peak_kb = rss.end_of_load_kb;
  }

  latencies.sort((a, b) => a - b);
  const example = errors._example;
  delete errors._example;
  const result = {
    label: opt.label || `pgmcp ${opt.era} ${clients} clients`,
    era: opt.era,
    clients,
    duration_s: Number(elapsedS.toFixed(2)),
    setup_ms: Math.round(setupMs),
    calls,
    ok: okCalls,
    calls_per_s: Number((okCalls / elapsedS).toFixed(1)),
    latency_ms: {
      p50: Number(percentile(latencies, 50).toFixed(3)),
      p95: Number(percentile(latencies, 95).toFixed(3)),
      p99: Number(percentile(latencies, 99).toFixed(3)),
      max: Number((latencies.at(-1) ?? NaN).toFixed(3)),
    },
    errors,
    error_example: example,
    // Share of one core used during the timed window, and the server's CPU time per successful call.
    cpu: {
      server_core_pct: pid ? Number((100 * serverCpu / elapsedS).toFixed(1)) : undefined,
      server_us_per_call: pid && okCalls ? Math.round((serverCpu * 1e6) / okCalls) : undefined,
      loadgen_core_pct: Number((100 * selfCpu / elapsedS).toFixed(1)),
    },
    sessions_deleted: opt.era === "session" ? deleted : undefined,
    rss_kb: pid ? rss : undefined,
  };
  if (opt.out) writeFileSync(opt.out, JSON.stringify(result, null, 2) + "\n");
  const errText = Object.keys(errors).length ? JSON.stringify(errors) : "none";
  console.log(`${result.label}: ${result.calls_per_s} calls/s, p50 ${result.latency_ms.p50} ms, p95 ${result.latency_ms.p95} ms, ` +
              `p99 ${result.latency_ms.p99} ms, errors ${errText}` +
              `, CPU: server ${result.cpu.server_core_pct}% of a core (${result.cpu.server_us_per_call} us/call), load generator ${result.cpu.loadgen_core_pct}%` +
              (pid ? `, RSS before ${rss.before_kb} kB, peak ${rss.peak_kb} kB, after ${rss.after_kb} kB` : ""));
}

// Bounded even if the server hangs: the whole run may take the duration plus two minutes at most.
const watchdog = setTimeout(() => { console.error("load.mjs: watchdog expired"); process.exit(3); }, durationMs + 120000);
watchdog.unref();
main().catch((e) => { console.error(`load.mjs: ${e.stack || e}`); process.exit(1); });
