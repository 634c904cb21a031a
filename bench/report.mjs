#!/usr/bin/env node
// Turns the JSON results of one bench/run into its Markdown report (printed on stdout).
//   node bench/report.mjs RESULTS_DIR PGBENCH_SCRIPT
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const [dir, scriptPath] = process.argv.slice(2);
const load = (name) => (existsSync(join(dir, `${name}.json`)) ? JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")) : null);
const machine = load("machine");
const limit = load("pgbench-prepared");
const extended = load("pgbench-extended");
const limit1 = load("pgbench-prepared1");
const httpJwt = load("http-jwt");
const httpNone = load("http-none");
const stdio1 = load("stdio1");
const stdio = load("stdio");
const sessions = load("sessions");
const stdioPgmcp = load("stdio-pgmcp");
const stdioRef = load("stdio-reference");
const floorNginx = load("floor-nginx");
const floorPgbench = load("floor-pgbench");  // pgbench paced at pgmcp's rate; older runs have none
// The paired rounds (BENCH_PAIRS; older runs have none): each pair's two sides and their ratio.
const pairs = [];
for (let i = 1; load(`pair${i}-limit`) && load(`pair${i}-pgmcp`); ++i) {
  const limitSide = load(`pair${i}-limit`), pgmcpSide = load(`pair${i}-pgmcp`);
  pairs.push({ limit: limitSide, pgmcp: pgmcpSide, ratio: pgmcpSide.calls_per_s / limitSide.calls_per_s });
}
const median = (values) => {
  const v = [...values].sort((a, b) => a - b), mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};

const f = (v, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : "–");
const mb = (kb) => (Number.isFinite(kb) && kb > 0 ? `${(kb / 1024).toFixed(1)} MiB` : "–");
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : "–");
const errs = (r) => {
  if (!r) return "–";
  if (r.failed !== undefined) return r.failed ? `${r.failed} failed` : "none";
  const e = Object.entries(r.errors || {});
  return e.length ? e.map(([k, v]) => `${k}: ${v}`).join(", ") : "none";
};

// A phase's failures for a table cell: pgbench's failed transactions, or the kinds of error that occurred.
const errorsOf = (r) => (r.failed !== undefined ? errs(r)
  : Object.entries(r.errors || {}).filter(([, v]) => v).map(([k, v]) => `${k}: ${v}`).join(", ") || "none");

const out = [];
const p = (s = "") => out.push(s);
p(`# pgmcp benchmark ${machine.stamp}`);
p();
p(`Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.mem_gib} GiB; ${machine.os}, kernel ${machine.kernel}; ` +
  `PostgreSQL ${machine.postgres}; Node ${machine.node}; ${machine.pgmcp}. Load average at the end: ${machine.load}. ` +
  `Everything (PostgreSQL, pgmcp, pgbench, wrk, nginx, the stdio driver and the smoke test's Node load generator) shares these cores; each phase ran once ` +
  `for ${machine.duration_s} s, so figures are noisy.`);
p();
p(`Release binary: ${(machine.binary_bytes / 1048576).toFixed(2)} MiB (${(machine.binary_stripped_bytes / 1048576).toFixed(2)} MiB stripped).`);
p();
p(`The call: \`query_orders\` with \`{"where": {"customer_id": N}}\`, N cycling over 1..2000 (about 10 rows each). ` +
  `pgbench runs the same two statements pgmcp sends (captured from the server log), pipelined: one transaction. ` +
  `Each pgbench client has a connection of its own; pgmcp has \`pool.max\` = ${machine.pool_max}, so that its calls ` +
  `that wait for a connection share its round trips, up to \`pool.calls_per_round_trip\` = ` +
  `${machine.round_trip_calls ?? 4} calls each.`);
p();
p("## pgmcp next to the limit");
p();
p("The limit is pgbench running pgmcp's own envelope with prepared statements. CPU per call is /proc utime + stime " +
  "over the phase, divided by successful calls, written total (user + kernel): pgmcp's process, the cluster's (the " +
  "postmaster and its backends) and the driver's own (pgbench's client threads, wrk, the stdio driver; getrusage). " +
  "Machine busy is the share of all cores busy over the phase (/proc/stat), whoever used them: where it is well below " +
  "100 %, the cores were not the limit.");
p();
p("| system | clients | calls/s | p50 ms | p99 ms | errors | pgmcp CPU/call µs | database CPU/call µs | driver CPU/call µs | machine busy |");
p("|---|--:|--:|--:|--:|---|--:|--:|--:|--:|");
// "total (user + kernel)" of one process's CPU per call, from cpu.WHO_us_per_call and cpu.WHO_user_us_per_call.
const cpuOf = (r, who) => {
  const total = r?.cpu?.[`${who}_us_per_call`], user = r?.cpu?.[`${who}_user_us_per_call`];
  if (!Number.isFinite(total)) return "–";
  return Number.isFinite(user) ? `${f(total, 0)} (${f(user, 0)} + ${f(total - user, 0)})` : f(total, 0);
};
const rows = [
  [limit, "pgbench, pgmcp's envelope pipelined, **prepared statements** (`-M prepared`) — the true limit", false],
  [extended, "pgbench, the same, unnamed statements (`-M extended`)", true],
  [httpJwt, "pgmcp, HTTP stateless era, JWT on every request (wrk)", true],
  [httpNone, "pgmcp, HTTP stateless era, no auth, login role (wrk)", true],
  [stdio, `pgmcp, stdio, light driver, ${stdio?.in_flight ?? "–"} in flight`, true],
  [limit1, "pgbench, prepared, 1 client", false],
  [stdio1, "pgmcp, stdio, light driver, 1 in flight", false],
];
for (const [r, what, vsLimit] of rows) {
  if (!r) continue;
  const rate = vsLimit && limit ? `${f(r.calls_per_s, 0)} (${ratio(r.calls_per_s, limit.calls_per_s)} the limit)` : f(r.calls_per_s, 0);
  const errors = errorsOf(r);
  p(`| ${what} | ${r.clients ?? r.in_flight} | ${rate} | ${f(r.latency_ms.p50, 3)} | ${f(r.latency_ms.p99, 3)} | ${errors} | ` +
    `${cpuOf(r, "server")} | ${cpuOf(r, "database")} | ${cpuOf(r, "driver")} | ` +
    `${Number.isFinite(r.machine_busy_pct) ? `${f(r.machine_busy_pct, 0)} %` : "–"} |`);
}
p();
p("## The goals (ratios of one run)");
p();
const hwm = Math.max(httpJwt?.rss_kb?.hwm_kb || 0, httpNone?.rss_kb?.hwm_kb || 0, stdio?.rss_kb?.hwm_kb || 0);
const goal = (what, value, target, ok) => p(`| ${what} | ${value} | ${target} | ${ok === undefined ? "–" : ok ? "met" : "not met"} |`);
p("| goal | measured | target | |");
p("|---|--:|--:|---|");
if (httpJwt && limit) {
  const r = httpJwt.calls_per_s / limit.calls_per_s;
  goal("HTTP + JWT calls/s ÷ the prepared limit, 10 clients", `${f(r)}×`, "≥ 0.60×", r >= 0.6);
}
if (pairs.length) {
  const r = median(pairs.map((x) => x.ratio));
  goal(`the same, median of ${pairs.length} paired rounds`, `${f(r)}×`, "≥ 0.60×", r >= 0.6);
}
if (stdio1 && limit1) {
  const r = stdio1.latency_ms.p50 / limit1.latency_ms.p50;
  goal("stdio p50 ÷ pgbench prepared p50, 1 client", `${f(r)}×`, "≤ 2×", r <= 2);
}
if (httpJwt?.cpu) goal("pgmcp CPU per HTTP + JWT call", `${f(httpJwt.cpu.server_us_per_call, 1)} µs`, "≤ 20 µs", httpJwt.cpu.server_us_per_call <= 20);
if (hwm) goal("pgmcp peak RSS (VmHWM) under load", mb(hwm), "≤ 25 MB", hwm * 1024 <= 25e6);
p();
if (pairs.length) {
  p(`Paired rounds: the limit and pgmcp's HTTP + JWT load back to back for ${machine.pair_seconds_s} s each (the order ` +
    `swapped every other pair, one pgmcp for all), so both meet the machine in the same state: ` +
    pairs.map((x) => `${f(x.pgmcp.calls_per_s, 0)} ÷ ${f(x.limit.calls_per_s, 0)} = ${f(x.ratio)}×`).join("; ") +
    `. Errors (limit / pgmcp): ${pairs.map((x) => `${errorsOf(x.limit)} / ${errorsOf(x.pgmcp)}`).join("; ")}.`);
  p();
}
if (httpJwt?.cpu?.server_core_pct !== undefined) {
  const user = httpJwt.cpu.server_user_us_per_call;
  const split = Number.isFinite(user)
    ? ` Of its ${f(httpJwt.cpu.server_us_per_call, 0)} µs per call, ${f(user, 0)} µs ran in pgmcp's own code and libraries ` +
      `and ${f(httpJwt.cpu.server_us_per_call - user, 0)} µs in the kernel on its behalf (sockets, epoll).`
    : "";
  p(`During the HTTP + JWT phase pgmcp used ${f(httpJwt.cpu.server_core_pct, 0)} % of one core: its one event loop ` +
    `would be the limit only near 100 %; below that, more loops fill idle cores but serve fewer calls per wake-up ` +
    `(docs/benchmarks.md, "What 0.60× needs on this machine").${split}`);
  p();
}
const pool = httpJwt?.pgmcp_outcomes;
if (pool?.statement_hits !== undefined) {
  const executions = pool.statement_hits + pool.statement_misses;
  const share = executions > 0 ? ` (${f((100 * pool.statement_hits) / executions, 2)} %)` : "";
  p(`How pgmcp's pool ran the HTTP + JWT phase (its /metrics before and after): ${pool.statement_hits} statement ` +
    `executions found their named statement prepared on the connection${share} and ${pool.statement_misses} prepared ` +
    `theirs; ${pool.shared_calls} calls shared a round trip with the call queued before them.`);
  p();
}
p("## The floor: what a process in pgmcp's place costs on this machine");
p();
if (floorNginx && limit && httpJwt) {
  const part = (r, who) => [r.cpu[`${who}_us_per_call`], r.cpu[`${who}_user_us_per_call`]];
  const [nginxTotal, nginxUser] = part(floorNginx, "server");
  const client = floorPgbench || limit;
  const [clientTotal, clientUser] = part(client, "driver");
  const floor = nginxTotal + clientTotal;
  const [pgmcpTotal, pgmcpUser] = part(httpJwt, "server");
  const row = (what, rate, total, user) =>
    p(`| ${what} | ${rate} | ${f(total, 1)} | ${f(user, 1)} | ${f(total - user, 1)} |`);
  p(`A process that only answered HTTP and only ran the transaction envelope would spend at least the sum of two ` +
    `measured parts per call: nginx (one worker, no access log) answering the very requests wrk sends pgmcp in the ` +
    `HTTP + JWT phase with a static copy of a real reply (${floorNginx.reply_bytes} bytes of JSON, from memory), each ` +
    `connection pausing 1 ms before each request to hold nginx near pgmcp's rate, and ` +
    `pgbench's own client running pgmcp's envelope with prepared statements (libpq and the pipeline), ` +
    (floorPgbench ? `paced with \`-R\` at pgmcp's HTTP + JWT rate.` : `in the limit phase.`));
  p();
  p("| part | calls/s | CPU per call µs | user | kernel |");
  p("|---|--:|--:|--:|--:|");
  row(`answering HTTP: nginx, the same wrk requests, ${floorNginx.clients} connections paced 1 ms`, f(floorNginx.calls_per_s, 0), nginxTotal, nginxUser);
  row(`running the envelope: pgbench's client, \`-M prepared\`, ${client.clients} clients${floorPgbench ? ", paced" : ""}`,
      f(client.calls_per_s, 0), clientTotal, clientUser);
  const [limitTotal, limitUser] = part(limit, "driver");
  if (floorPgbench) row(`(the same unpaced, in the limit phase: a lower bound)`, f(limit.calls_per_s, 0), limitTotal, limitUser);
  row("**the floor** (nginx + pgbench's client at pgmcp's rate)", "", floor, nginxUser + clientUser);
  row("pgmcp, HTTP + JWT", f(httpJwt.calls_per_s, 0), pgmcpTotal, pgmcpUser);
  p();
  p(`pgmcp spends ${ratio(pgmcpTotal, floor)} the floor per call ` +
    `(user space ${ratio(pgmcpUser, nginxUser + clientUser)}, kernel ${ratio(pgmcpTotal - pgmcpUser, floor - nginxUser - clientUser)}); ` +
    `the goal of 20 µs per call is ${20 < floor ? "below" : "above"} this floor of ` +
    `${f(floor, 1)} µs. CPU per call falls as the rate rises (each wake-up serves more requests)` +
    (floorPgbench ? `, so both parts ran near pgmcp's rate; pgbench's pacing (\`-R\`) adds its own wake-up per ` +
                    `transaction, as pgmcp has per call at this rate, and unpaced its client costs ${f(limitTotal, 1)} µs. `
                  : `: pgbench's client ran at the limit's rate, ${ratio(limit.calls_per_s, httpJwt.calls_per_s)} pgmcp's, so its part is a lower bound. `) +
    `wrk itself spent ${f(floorNginx.cpu.driver_us_per_call, 1)} µs per request against nginx and ` +
    `${f(httpJwt.cpu.driver_us_per_call, 1)} µs against pgmcp.`);
  // What the goal of 0.60× leaves pgmcp, given what the rest of the machine spends per call in this
  // run: the database behind pgmcp and wrk share the same cores.
  const others = httpJwt.cpu.database_us_per_call + httpJwt.cpu.driver_us_per_call;
  const cores = Number(machine.cores);
  const atFloor = (cores * 1e6) / (floor + others);
  const goalRate = 0.6 * limit.calls_per_s;
  const budget = (cores * 1e6) / goalRate - others;
  const unpacedFloor = nginxTotal + limitTotal;
  p();
  p(`**What 0.60× leaves pgmcp here.** Behind pgmcp the database spent ${f(httpJwt.cpu.database_us_per_call, 1)} µs ` +
    `per call and wrk ${f(httpJwt.cpu.driver_us_per_call, 1)}, ${f(others, 1)} µs together on the same ${cores} cores. ` +
    `A process at the floor would make ${f(floor + others, 1)} µs per call in all: at most ${f(atFloor, 0)} calls/s ` +
    `with every core busy all the time, ${ratio(atFloor, limit.calls_per_s)} the limit ` +
    `(the cores were ${f(httpJwt.machine_busy_pct, 0)} % busy in the phase). 0.60× of the limit, ${f(goalRate, 0)} calls/s, ` +
    `leaves pgmcp at most ${f(budget, 1)} µs per call with every core busy: ` +
    `${budget < floor ? "below" : "above"} the floor at pgmcp's rate${floorPgbench ? `, ${budget < unpacedFloor ? "below" : "above"} ` +
    `its unpaced figure (${f(unpacedFloor, 1)} µs)` : ""}.`);
} else {
  p(machine.floor_note || "Not measured (the nginx phase or the limit is missing).");
}
p();
p("## pgmcp memory and health under load");
p();
p("| phase | idle RSS (after start) | RSS before load | peak RSS | RSS 2 s after load | RssAnon idle → after | exit on SIGTERM | peak pool connections (pool.max) |");
p("|---|---:|---:|---:|---:|---:|---:|---:|");
for (const r of [sessions]) {
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
p("The SDK client validates every result against its schema, so this compares the servers only roughly; " +
  "the light driver above is the measure of pgmcp over stdio.");
p();
if (stdioPgmcp && stdioRef) {
  p("| server | calls/s | p50 ms | p95 ms | p99 ms | errors | idle RSS | peak RSS |");
  p("|---|---:|---:|---:|---:|---|---:|---:|");
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
p("## The pgbench script (the limit with `-M prepared`, the reference with `-M extended`)");
p();
p("```");
p(readFileSync(scriptPath, "utf8").trimEnd());
p("```");
console.log(out.join("\n"));
