// Operations (docs/operations.md): Prometheus counters match the calls made, every log line is a JSON object
// with the documented fields and no row values, SIGTERM lets a call in flight finish, and a second
// SIGTERM ends the drain at once.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { psql, startHttp, waitFor } from "./harness.mjs";

let server;
const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} };

// One stateless tools/call (no session needed), returning the JSON-RPC response.
async function call(srv, name, args) {
  const res = await fetch(srv.url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", "MCP-Protocol-Version": "2026-07-28",
               "Mcp-Method": "tools/call", "Mcp-Name": name },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args, _meta: meta } }),
  });
  return res.json();
}

async function metrics(srv) {
  const text = await (await fetch(`${srv.base}/metrics`)).text();
  const values = new Map();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

before(async () => {
  server = await startHttp(`[auth]\nmode = "none"\n`);
});
after(async () => {
  await server?.stop();
});

test("metrics count the calls made, by tool and status, with rows and durations", async () => {
  const before = await metrics(server);
  const key = (status) => `pgmcp_tool_calls_total{tool="query_products",status="${status}"}`;
  let rows = 0;
  for (let i = 1; i <= 3; i++) {
    const r = await call(server, "query_products", { limit: i });
    assert.equal(r.result.isError, false);
    rows += r.result.structuredContent.row_count;
  }
  const bad = await call(server, "query_products", { where: { id: "not-a-number" } });
  assert.equal(bad.result.isError, true);
  const after = await metrics(server);
  assert.equal(after.get(key("ok")) - (before.get(key("ok")) ?? 0), 3);
  assert.equal(after.get(key("invalid")) - (before.get(key("invalid")) ?? 0), 1);
  const rowsKey = `pgmcp_rows_returned_total{tool="query_products"}`;
  assert.equal(after.get(rowsKey) - (before.get(rowsKey) ?? 0), rows);
  const countKey = `pgmcp_tool_call_duration_seconds_count{tool="query_products"}`;
  assert.equal(after.get(countKey) - (before.get(countKey) ?? 0), 4);
  assert.ok(after.get(`pgmcp_pool_connections{state="idle"}`) >= 1);
  assert.ok(after.get(`pgmcp_http_requests_total{code="200"}`) >= 4);
});

test("the pool's prepared statements show in the metrics: named, and reused from call to call", async () => {
  const before = await metrics(server);
  const sum = (m, name) => m.get(`pgmcp_pool_statement_cache_${name}_total`) ?? 0;
  const calls = 6;
  for (let i = 0; i < calls; i++) {
    const r = await call(server, "query_products", { where: { id: 1 } });
    assert.equal(r.result.isError, false, JSON.stringify(r));
  }
  const after = await metrics(server);
  assert.equal(after.get("pgmcp_pool_prepared_statements"), 1, "pool.prepared_statements is auto, not fallen back");
  const hits = sum(after, "hits") - sum(before, "hits");
  const misses = sum(after, "misses") - sum(before, "misses");
  assert.equal(hits + misses, 2 * calls, "each call runs its settings and its SELECT, each looked up once");
  assert.ok(hits >= calls, `the same call again finds its statements prepared (hits ${hits}, misses ${misses})`);
  assert.equal(sum(after, "evictions"), 0, "the default cache of 256 holds every statement of this test");
});

test("every log line is JSON; tool calls carry the documented fields and never row values", async () => {
  const r = await call(server, "query_customers", { select: ["email"], limit: 1 });
  const email = r.result.structuredContent.rows[0][0];
  // Stop words alone make PostgreSQL send a NOTICE: it must not reach stderr as plain text.
  const stop = await call(server, "query_support_tickets", { where: { body: { search: "the and of" } } });
  assert.equal(stop.result.isError, false, JSON.stringify(stop));
  const entries = server.logs.map((line) => JSON.parse(line));  // throws on any non-JSON line
  const calls = entries.filter((e) => e.event === "tool_call");
  assert.ok(calls.length >= 5);
  for (const e of calls) {
    for (const field of ["ts", "level", "event", "tool", "table", "session", "sub", "role", "duration_ms", "rows",
                         "status", "error"]) {
      assert.ok(field in e || (field === "table" && e.status === "invalid"), `${field} in ${JSON.stringify(e)}`);
    }
    assert.match(e.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
  assert.ok(!server.logs.some((line) => line.includes(email)), "no row value is ever logged");
});

test("a tool name that is no tool is cut in its log line as in its refusal", async () => {
  const name = "query_" + "z".repeat(8000);  // in the Mcp-Name header too: under its 16 KiB budget
  const r = await call(server, name, {});
  assert.equal(r.error?.code, -32602, JSON.stringify(r).slice(0, 300));
  let line;
  const deadline = Date.now() + 5000;
  while (!(line = server.logs.find((l) => l.includes(`"tool":"query_zzz`))) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.ok(line, "the refused call is logged");
  assert.ok(line.length < 1024, `a ${line.length}-byte log line`);
  assert.equal(JSON.parse(line).tool, name.slice(0, 64) + "…");
});

test("SIGTERM lets a call in flight finish, then the server exits 0", async () => {
  const srv = await startHttp(`[auth]\nmode = "none"\n`);
  const slow = call(srv, "query_slow_rows", {});
  // Wait until the call holds a database connection, then ask the server to stop.
  const deadline = Date.now() + 10000;
  while ((await metrics(srv)).get(`pgmcp_pool_connections{state="busy"}`) !== 1 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const exited = srv.stop();
  const r = await slow;
  assert.equal(r.result.isError, false, JSON.stringify(r));
  assert.equal(r.result.structuredContent.row_count, 2);
  assert.equal(await exited, 0);
  assert.ok(srv.logs.some((line) => line.includes('"event":"shutdown"')));
});

// A second SIGTERM during the drain ends it at once, as PostgreSQL's and PgBouncer's fast shutdown
// do (found in review: it was ignored until shutdown_timeout_ms had passed).
test("a second SIGTERM during the drain ends it at once: pgmcp exits 0 without waiting for the call", async () => {
  psql(`CREATE VIEW drain_sleeper WITH (security_invoker = true) AS SELECT 1 AS id, pg_sleep(30)::text AS slept;
        GRANT SELECT ON drain_sleeper TO mcp_reader`);
  const srv = await startHttp(`[auth]\nmode = "none"\n[limits]\nstatement_timeout_ms = 30000\n`);
  const exited = new Promise((resolve) => srv.proc.once("exit", (code) => resolve(code)));
  try {
    const slow = call(srv, "query_drain_sleeper", {}).catch((e) => e);
    await waitFor("the call holding a connection",
                  async () => (await metrics(srv)).get(`pgmcp_pool_connections{state="busy"}`) === 1);
    srv.proc.kill("SIGTERM");
    await waitFor("the drain", () => srv.logs.some((l) => l.includes('"event":"shutdown"')));
    const start = Date.now();
    srv.proc.kill("SIGTERM");
    const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve("hung"), 15000))]);
    const took = Date.now() - start;
    console.log(`# second SIGTERM: exited ${took} ms after it, the call still running`);
    assert.equal(code, 0);
    assert.ok(took < 3000, `exited ${took} ms after the second SIGTERM (shutdown_timeout_ms is 10000)`);
    assert.ok(srv.logs.some((l) => l.includes('"reason":"second signal"')), "the log says why the drain ended");
    await slow;
  } finally {
    srv.proc.kill("SIGKILL");
    // The statement ends at its statement_timeout, or when its cancel request arrives; DROP VIEW
    // would wait for it.
    psql(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'pgmcp' ` +
         `AND query LIKE '%drain_sleeper%'`);
    psql(`DROP VIEW IF EXISTS drain_sleeper`);
  }
});

test("an unreachable database at start-up is exit 1 with one line naming why", async () => {
  const { spawnSync } = await import("node:child_process");
  const { bin } = await import("./harness.mjs");
  const r = spawnSync(bin, ["serve", "--dsn", "host=127.0.0.1 port=1 dbname=x connect_timeout=2"], { encoding: "utf8", input: "" });
  assert.equal(r.status, 1);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^pgmcp: cannot connect to the database: .*refused/);
  const bad = spawnSync(bin, ["serve", "--transport", "pigeon"], { encoding: "utf8", input: "" });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--transport/);
});
