#!/usr/bin/env node
// One MCP client over stdio (the official SDK client) calling one server's tool back to back for T
// seconds: pgmcp's query_orders, or the deprecated reference server's `query` tool with the same
// SELECT written out with a literal (it takes raw SQL and no parameters). Reports calls/s, latency
// percentiles, errors and the server's RSS (idle after initialize, and the peak).
//
//   node bench/peers/stdio.mjs --server pgmcp --bin PGMCP --dsn DSN --config TOML [--duration S]
//   node bench/peers/stdio.mjs --server reference --url postgresql://... --sql-file FILE [--duration S]
//   (the SQL file holds the SELECT with $1 where the customer id goes)
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const { values: opt } = parseArgs({
  options: {
    server: { type: "string" },
    bin: { type: "string" },
    dsn: { type: "string" },
    config: { type: "string" },
    url: { type: "string" },
    "sql-file": { type: "string" },
    duration: { type: "string", default: "10" },
    "max-value": { type: "string", default: "2000" },
    out: { type: "string", default: "" },
    label: { type: "string", default: "" },
  },
});
const durationMs = Number(opt.duration) * 1000;
const maxValue = Number(opt["max-value"]);
const here = dirname(fileURLToPath(import.meta.url));

let transport, callFor, label;
if (opt.server === "pgmcp") {
  transport = new StdioClientTransport({ command: opt.bin, args: ["--transport", "stdio", "--dsn", opt.dsn, "--config", opt.config],
                                         stderr: "ignore" });
  callFor = (v) => ({ name: "query_orders", arguments: { where: { customer_id: v } } });
  label = opt.label || "pgmcp (stdio, 1 client)";
} else if (opt.server === "reference") {
  const sql = readFileSync(opt["sql-file"], "utf8").trim();
  if (!sql.includes("$1")) throw new Error("the SQL file must hold $1 where the value goes");
  const entry = join(here, "node_modules/@modelcontextprotocol/server-postgres/dist/index.js");
  transport = new StdioClientTransport({ command: process.execPath, args: [entry, opt.url], stderr: "ignore" });
  callFor = (v) => ({ name: "query", arguments: { sql: sql.replace("$1", String(v)) } });
  label = opt.label || "@modelcontextprotocol/server-postgres (stdio, 1 client)";
} else {
  console.error("usage: stdio.mjs --server pgmcp|reference ...");
  process.exit(2);
}

function rssKb(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, "utf8");
    return { rss: Number(/VmRSS:\s+(\d+)/.exec(s)[1]), hwm: Number(/VmHWM:\s+(\d+)/.exec(s)[1]) };
  } catch { return { rss: NaN, hwm: NaN }; }
}
const pct = (sorted, p) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] : NaN;

async function main() {
  const client = new Client({ name: "pgmcp-bench-stdio", version: "1.0.0" });
  await client.connect(transport);
  const pid = transport.pid;
  await client.listTools();
  // The first call warms up the pool and the code paths; the reference server opens its pool lazily.
  await client.callTool(callFor(1));
  await new Promise((r) => setTimeout(r, 500));
  const idle = rssKb(pid);
  let peak = idle.rss;
  const sampler = setInterval(() => { const k = rssKb(pid).rss; if (k > peak) peak = k; }, 100);

  const latencies = [];
  const errors = {};
  let ok = 0;
  let i = 0;
  const started = performance.now();
  const deadline = Date.now() + durationMs;
  while (Date.now() < deadline) {
    const v = 1 + (i++ % maxValue);
    const t0 = performance.now();
    try {
      const r = await client.callTool(callFor(v));
      if (r.isError) errors.tool_error = (errors.tool_error || 0) + 1; else ok++;
    } catch (e) {
      const kind = `jsonrpc_${e.code ?? "exception"}`;
      errors[kind] = (errors[kind] || 0) + 1;
    }
    latencies.push(performance.now() - t0);
  }
  const elapsed = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const end = rssKb(pid);
  await client.close();
  latencies.sort((a, b) => a - b);
  const result = {
    label,
    clients: 1,
    duration_s: Number(elapsed.toFixed(2)),
    calls: latencies.length,
    ok,
    calls_per_s: Number((ok / elapsed).toFixed(1)),
    latency_ms: { p50: Number(pct(latencies, 50).toFixed(3)), p95: Number(pct(latencies, 95).toFixed(3)),
                  p99: Number(pct(latencies, 99).toFixed(3)), max: Number((latencies.at(-1) ?? NaN).toFixed(3)) },
    errors,
    rss_kb: { idle_kb: idle.rss, peak_kb: Math.max(peak, end.rss), hwm_kb: end.hwm },
  };
  if (opt.out) writeFileSync(opt.out, JSON.stringify(result, null, 2) + "\n");
  console.log(`${label}: ${result.calls_per_s} calls/s, p50 ${result.latency_ms.p50} ms, p99 ${result.latency_ms.p99} ms, ` +
              `errors ${JSON.stringify(errors)}, RSS idle ${idle.rss} kB, peak ${result.rss_kb.peak_kb} kB`);
}

const watchdog = setTimeout(() => { console.error("stdio.mjs: watchdog expired"); process.exit(3); }, durationMs + 60000);
watchdog.unref();
main().then(() => process.exit(0), (e) => { console.error(`stdio.mjs: ${e.stack || e}`); process.exit(1); });
