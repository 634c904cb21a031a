#!/usr/bin/env node
// Turns the JSON results of one bench/run into its Markdown report (printed on stdout).
//   node bench/report.mjs RESULTS_DIR PGBENCH_SCRIPT
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const [dir, scriptPath] = process.argv.slice(2);
const load = (name) => (existsSync(join(dir, `${name}.json`)) ? JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")) : null);
const machine = load("machine");
const base = load("pgbench");
const stateless = load("stateless");
const sessions = load("sessions");
const base1 = load("pgbench1");
const stdioPgmcp = load("stdio-pgmcp");
const stdioRef = load("stdio-reference");

const f = (v, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : "–");
const mb = (kb) => (Number.isFinite(kb) && kb > 0 ? `${(kb / 1024).toFixed(1)} MiB` : "–");
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : "–");
const errs = (r) => {
  if (!r) return "–";
  if (r.failed !== undefined) return r.failed ? `${r.failed} failed` : "none";
  const e = Object.entries(r.errors || {});
  return e.length ? e.map(([k, v]) => `${k}: ${v}`).join(", ") : "none";
};

const out = [];
const p = (s = "") => out.push(s);
p(`# pgmcp benchmark ${machine.stamp}`);
p();
p(`Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.mem_gib} GiB; ${machine.os}, kernel ${machine.kernel}; ` +
  `PostgreSQL ${machine.postgres}; Node ${machine.node}; ${machine.pgmcp}. Load average at the end: ${machine.load}. ` +
  `Everything (PostgreSQL, pgmcp, pgbench and the Node load generator) shares these cores; each phase ran once ` +
  `for ${machine.duration_s} s, so figures are noisy.`);
p();
p(`Release binary: ${(machine.binary_bytes / 1048576).toFixed(2)} MiB (${(machine.binary_stripped_bytes / 1048576).toFixed(2)} MiB stripped).`);
p();
p(`The call: \`query_orders\` with \`{"where": {"customer_id": N}}\`, N cycling over 1..2000 (about 10 rows each). ` +
  `pgbench runs the same four statements pgmcp sends (captured from the server log), pipelined.`);
p();
p("## Throughput and latency");
p();
p("| phase | clients | calls/s | p50 ms | p95 ms | p99 ms | errors | calls/s vs pgbench | p50 vs pgbench | p99 vs pgbench |");
p("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|");
for (const r of [base, stateless, sessions]) {
  if (!r) continue;
  p(`| ${r.label} | ${r.clients} | ${f(r.calls_per_s, 0)} | ${f(r.latency_ms.p50)} | ${f(r.latency_ms.p95)} | ${f(r.latency_ms.p99)} | ${errs(r)} | ` +
    `${r === base ? "1.00×" : ratio(r.calls_per_s, base.calls_per_s)} | ${r === base ? "1.00×" : ratio(r.latency_ms.p50, base.latency_ms.p50)} | ` +
    `${r === base ? "1.00×" : ratio(r.latency_ms.p99, base.latency_ms.p99)} |`);
}
p();
p("## Where the CPU goes (per successful call; less noisy than rates on a shared machine)");
p();
p("| phase | PostgreSQL CPU µs/call | pgmcp CPU µs/call | pgmcp share of one core | load generator share of one core |");
p("|---|---:|---:|---:|---:|");
for (const r of [base, stateless, sessions]) {
  if (!r) continue;
  const pgUs = r.pg_cpu_s !== undefined && r.ok ? (r.pg_cpu_s * 1e6) / r.ok : NaN;
  const cpu = r.cpu || {};
  p(`| ${r.label} | ${f(pgUs, 0)} | ${r === base ? "–" : f(cpu.server_us_per_call, 0)} | ${r === base ? "–" : `${f(cpu.server_core_pct, 0)} %`} | ` +
    `${r === base ? "(pgbench)" : `${f(cpu.loadgen_core_pct, 0)} %`} |`);
}
p();
p("## pgmcp memory and health under load");
p();
p("| phase | idle RSS (after start) | RSS before load | peak RSS | RSS 2 s after load | RssAnon idle → after | exit on SIGTERM | peak pool connections (pool.max) |");
p("|---|---:|---:|---:|---:|---:|---:|---:|");
for (const r of [stateless, sessions]) {
  if (!r) continue;
  const k = r.rss_kb || {};
  p(`| ${r.label} | ${mb(r.idle_rss_kb)} | ${mb(k.before_kb)} | ${mb(Math.max(k.peak_kb || 0, k.hwm_kb || 0))} | ${mb(k.after_kb)} | ` +
    `${mb(k.anon_before_kb)} → ${mb(k.anon_after_kb)} | ${r.exit_code} | ${r.max_db_connections} (${r.pool_max}) |`);
}
p();
if (sessions) {
  const e = Object.keys(sessions.errors || {}).filter((k) => k !== "busy");
  const k = sessions.rss_kb || {};
  const memOk = k.after_kb <= Math.max(sessions.idle_rss_kb * 1.5, sessions.idle_rss_kb + 8192);
  const checks = [
    [`no errors other than clean "server busy"`, e.length === 0, e.length ? e.join(", ") : `busy: ${sessions.errors?.busy || 0}`],
    ["no crash (alive after the load, exit 0 on SIGTERM)", sessions.alive_after_load && String(sessions.exit_code) === "0", `exit ${sessions.exit_code}`],
    ["memory back near idle (≤ 1.5× idle or idle + 8 MiB)", memOk, `${mb(sessions.idle_rss_kb)} → ${mb(k.after_kb)}`],
    [`at most pool.max database connections`, sessions.max_db_connections <= sessions.pool_max, `${sessions.max_db_connections} of ${sessions.pool_max}`],
  ];
  p(`### Load smoke test: ${sessions.clients} sessions for ${sessions.duration_s} s`);
  p();
  for (const [what, ok, detail] of checks) p(`- ${ok ? "PASS" : "FAIL"}: ${what} (${detail})`);
  p();
}
p("## Peers over stdio (1 client, the official SDK client)");
p();
if (stdioPgmcp && stdioRef) {
  p("| server | calls/s | p50 ms | p95 ms | p99 ms | errors | idle RSS | peak RSS |");
  p("|---|---:|---:|---:|---:|---|---:|---:|");
  if (base1) p(`| pgbench, 1 client (no MCP) | ${f(base1.calls_per_s, 0)} | ${f(base1.latency_ms.p50)} | ${f(base1.latency_ms.p95)} | ${f(base1.latency_ms.p99)} | ${errs(base1)} | – | – |`);
  for (const r of [stdioPgmcp, stdioRef]) {
    p(`| ${r.label} | ${f(r.calls_per_s, 0)} | ${f(r.latency_ms.p50)} | ${f(r.latency_ms.p95)} | ${f(r.latency_ms.p99)} | ${errs(r)} | ${mb(r.rss_kb.idle_kb)} | ${mb(Math.max(r.rss_kb.peak_kb, r.rss_kb.hwm_kb || 0))} |`);
  }
  p();
  p(`pgmcp / reference server: calls/s ${ratio(stdioPgmcp.calls_per_s, stdioRef.calls_per_s)}, ` +
    `p50 ${ratio(stdioPgmcp.latency_ms.p50, stdioRef.latency_ms.p50)}. The reference server runs the raw SQL it is given ` +
    `(the same SELECT with a literal) in BEGIN READ ONLY … ROLLBACK; pgmcp validates structured arguments, builds the ` +
    `SELECT, sets the role, claims and timeouts, encodes and sanitises the result.`);
} else {
  p(machine.peer_note || "Skipped (BENCH_PEERS=0).");
}
p();
p("## The pgbench script (baseline)");
p();
p("```");
p(readFileSync(scriptPath, "utf8").trimEnd());
p("```");
console.log(out.join("\n"));
