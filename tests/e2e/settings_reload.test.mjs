// Every reloadable configuration key (docs/reference.md, "Configuration") changes behaviour on
// SIGHUP. The cases are data: {key, before, after, probe, expect}. The cases of one group share a
// server: it starts with the union of their `before` settings, each probe runs, the config file is
// rewritten with the union of their `after` settings, SIGHUP, each probe runs again. A probe returns
// a small value; `expect` gives the value before and after the SIGHUP. A group's `base` settings
// hold in both configs.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { connect, psql, spawnRaw, startHttp, waitFor, writeTemp } from "./harness.mjs";

const MARKER = "…[truncated]";
const LONG_NOTE = "x".repeat(1000);
const DEFAULT_EXCLUDED_COLUMNS = ["*.*password*", "*.*passwd*", "*.*secret*", "*.*token*", "*.*api_key*", "*.ssn"];

// --- probes ---------------------------------------------------------------------------------------
// Counts the client's calls: every tools/call logs one tool_call line (logsEvent waits for them).
const call = (ctx, name, args) => {
  ctx.toolCalls = (ctx.toolCalls ?? 0) + 1;
  return ctx.client.callTool({ name, arguments: args });
};
const probeRows = (args) => async (ctx) => (await call(ctx, "query_settings_probe", args)).structuredContent?.rows;
const listed = (tool) => async (ctx) => (await ctx.client.listTools()).tools.some((t) => t.name === tool);
const probeTool = async (ctx) => (await ctx.client.listTools()).tools.find((t) => t.name === "query_settings_probe");
const isError = (name, args) => async (ctx) => (await call(ctx, name, args)).isError === true;

// Whether a call adds a line of one log event to stderr; the call's own tool_call line, which pgmcp
// logs after everything else the call logs, marks the end. Lines are written once per turn of
// pgmcp's loop, possibly just after the response, so the probe waits for the tool_call line of
// every call the client made (the earlier ones before counting, then its own).
const logsEvent = (event, name, args) => async (ctx) => {
  const count = (e) => ctx.stderr().split("\n").filter((l) => l.includes(`"event":"${e}"`)).length;
  const allLogged = () => count("tool_call") >= (ctx.toolCalls ?? 0);
  await waitFor("the earlier calls' tool_call lines", allLogged);
  const events = count(event);
  await call(ctx, name, args);
  await waitFor("the tool_call log line", allLogged);
  return count(event) > events;
};

// One JSON-RPC message over raw stdio (the SDK client will not send oversized or over-deep JSON):
// "result" or the JSON-RPC error code.
const rawOutcome = (message) => async (ctx) => {
  const reply = ctx.raw.nextMessage((m) => (m.id === message.id || m.id === null) && (m.result || m.error));
  await ctx.raw.write(JSON.stringify(message) + "\n");
  const r = await reply;
  return r.result ? "result" : r.error.code;
};
let rawId = 0;
const paddedPing = (bytes) => () => ({ jsonrpc: "2.0", id: `ping-${++rawId}`, method: "ping", params: { _meta: { pad: "p".repeat(bytes) } } });
function nested(depth) {
  let v = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}
const deepCall = (depth) => () => ({ jsonrpc: "2.0", id: `deep-${++rawId}`, method: "tools/call",
  params: { name: "query_settings_probe", arguments: { where: { id: { in: nested(depth) } } } } });

// Over HTTP (stateless era: no session needed): "<status> result", "<status> <JSON-RPC error code>",
// or the bare status when the body is not JSON-RPC (413 is plain text).
const META = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} };
const httpPost = (body, headers = {}) => async (ctx) => {
  const res = await fetch(ctx.http.url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", "MCP-Protocol-Version": "2026-07-28",
               "Mcp-Method": body.method, ...headers },
    body: JSON.stringify(body),
  });
  let r;
  try { r = JSON.parse(await res.text()); } catch { return `${res.status}`; }
  return `${res.status} ${r.result ? "result" : r.error?.code}`;
};
// A stateless tools/list (the stateless era has no ping), padded to a body size with an extra _meta key.
const httpList = (pad) => ({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: { ...META, pad: "p".repeat(pad) } } });

// A table that appears in the database while the server runs: is it listed within `ms`?
let ttlTables = 0;
const newTableListedWithin = (ms) => async (ctx) => {
  const table = `settings_ttl_${++ttlTables}`;
  psql(`CREATE TABLE ${table} (id int PRIMARY KEY); GRANT SELECT ON ${table} TO mcp_reader`);
  try {
    await waitFor(`query_${table}`, async () => (await ctx.client.listTools()).tools.some((t) => t.name === `query_${table}`), ms);
    return true;
  } catch {
    return false;
  }
};

// SIGTERM while a half-second call is in flight: "completed" when the drain let it finish, "cut" if
// the server exited first. Destructive: the group runs it on a server of its own each time.
const callDuringShutdown = async (ctx) => {
  const active = () => Number(psql(`SELECT count(*) FROM pg_stat_activity WHERE usename = 'mcp_reader'
                                     AND state = 'active' AND query LIKE '%slow_rows%'`));
  await waitFor("the previous probe's query to end", () => active() === 0);
  const slow = call(ctx, "query_slow_rows", {}).then((r) => (r.isError ? "error" : "completed"), () => "cut");
  await waitFor("the slow call to reach the database", () => active() === 1);
  process.kill(ctx.pid, "SIGTERM");
  return slow;
};

// --- the cases ------------------------------------------------------------------------------------
const GROUPS = [
  {
    name: "limits, query and sanitising (tool calls over stdio)",
    transport: "sdk",
    cases: [
      { key: "limits.default_limit", before: {}, after: { limits: { default_limit: 2 } },
        probe: async (ctx) => (await probeRows({}))(ctx).then((rows) => rows.length), expect: { before: 5, after: 2 } },
      { key: "limits.statement_timeout_ms", before: {}, after: { limits: { statement_timeout_ms: 100 } },
        probe: isError("query_slow_rows", {}), expect: { before: false, after: true } },
      { key: "limits.max_in_values", before: {}, after: { limits: { max_in_values: 2 } },
        probe: isError("query_settings_probe", { where: { id: { in: [1, 2, 3] } } }), expect: { before: false, after: true } },
      { key: "limits.max_text_chars", before: {}, after: { limits: { max_text_chars: 40 } },
        probe: async (ctx) => (await probeRows({ select: ["note"], where: { id: 3 } })(ctx))[0][0].endsWith(MARKER),
        expect: { before: false, after: true } },
      { key: "query.timezone", before: {}, after: { query: { timezone: "Asia/Tokyo" } },
        probe: async (ctx) => (await probeRows({ select: ["at"], where: { id: 1 } })(ctx))[0][0].slice(11, 13),
        expect: { before: "12", after: "21" } },
      { key: "query.text_search_config", before: {}, after: { query: { text_search_config: "simple" } },
        probe: async (ctx) => (await probeRows({ select: ["id"], where: { note: { search: "the" } } })(ctx)).length,
        expect: { before: 0, after: 1 } },
      { key: "security.sanitize_text", before: {}, after: { security: { sanitize_text: "off" } },
        probe: async (ctx) => (await probeRows({ select: ["note"], where: { id: 2 } })(ctx))[0][0].includes("\u001b"),
        expect: { before: false, after: true } },
    ],
  },
  {
    name: "schema exposure, caps and log level (stdio)",
    transport: "sdk",
    cases: [
      { key: "schemas", before: {}, after: { schemas: ["public", "settings_extra"] },
        probe: listed("query_settings_extra_extra_t"), expect: { before: false, after: true } },
      { key: "schema.include_tables", before: {},
        after: { schema: { include_tables: ["public.settings_probe", "public.products", "settings_extra.*"] } },
        probe: listed("query_customers"), expect: { before: true, after: false } },
      { key: "schema.exclude_tables", before: {}, after: { schema: { exclude_tables: ["*_migrations", "products"] } },
        probe: listed("query_products"), expect: { before: true, after: false } },
      { key: "schema.exclude_columns", before: {},
        after: { schema: { exclude_columns: [...DEFAULT_EXCLUDED_COLUMNS, "*.hidden_ish"] } },
        probe: async (ctx) => JSON.stringify((await probeTool(ctx)).inputSchema).includes("hidden_ish"),
        expect: { before: true, after: false } },
      { key: "tables.<table>.description", before: {},
        after: { tables: { settings_probe: { description: "Rows kept for the settings reload probes." } } },
        probe: async (ctx) => (await probeTool(ctx)).description.includes("settings reload probes"),
        expect: { before: false, after: true } },
      { key: "tables.<table>.not_for", before: {}, after: { tables: { settings_probe: { not_for: ["anything about pigeons"] } } },
        probe: async (ctx) => (await probeTool(ctx)).description.includes("pigeons"), expect: { before: false, after: true } },
      { key: "limits.max_rows", before: {}, after: { limits: { max_rows: 3, default_limit: 3 } },
        probe: isError("query_settings_probe", { limit: 4 }), expect: { before: false, after: true } },
      { key: "limits.max_result_bytes", before: {}, after: { limits: { max_result_bytes: 1024 } },
        probe: async (ctx) => (await call(ctx, "query_settings_probe", { select: ["note"], where: { id: 3 } })).structuredContent.truncated,
        expect: { before: false, after: true } },
      // Stop words alone make PostgreSQL send a NOTICE, which pgmcp logs at debug level only.
      { key: "log_level", before: {}, after: { log_level: "debug" },
        probe: logsEvent("db_notice", "query_settings_probe", { where: { note: { search: "the and of" } } }),
        expect: { before: false, after: true } },
    ],
  },
  // Tool modes change the whole list, so each key has a server of its own.
  {
    name: "tool mode (stdio)",
    transport: "sdk",
    cases: [
      { key: "schema.tool_mode", before: {}, after: { schema: { tool_mode: "discovery" } },
        probe: listed("find_tables"), expect: { before: false, after: true } },
    ],
  },
  {
    name: "tool count that switches auto to discovery (stdio)",
    transport: "sdk",
    cases: [
      { key: "schema.max_table_tools", before: {}, after: { schema: { max_table_tools: 1 } },
        probe: listed("find_tables"), expect: { before: false, after: true } },
    ],
  },
  {
    name: "pinned tables in discovery mode (stdio)",
    transport: "sdk",
    base: { schema: { tool_mode: "discovery" } },
    cases: [
      { key: "schema.pinned_tables", before: {}, after: { schema: { pinned_tables: ["settings_probe"] } },
        probe: listed("query_settings_probe"), expect: { before: false, after: true } },
    ],
  },
  {
    name: "stdio transport limits (raw JSON-RPC)",
    transport: "raw",
    cases: [
      { key: "limits.max_line_bytes", before: {}, after: { limits: { max_line_bytes: 1024 } },
        probe: (ctx) => rawOutcome(paddedPing(2000)())(ctx), expect: { before: "result", after: -32600 } },
      { key: "limits.max_json_depth", before: {}, after: { limits: { max_json_depth: 8 } },
        probe: (ctx) => rawOutcome(deepCall(12)())(ctx), expect: { before: "result", after: -32700 } },
    ],
  },
  {
    // A server of its own: a limit this low refuses the other groups' probes too.
    name: "cost guard (stdio)",
    transport: "sdk",
    cases: [
      { key: "limits.max_plan_cost", before: {}, after: { limits: { max_plan_cost: 1 } },
        probe: isError("query_settings_probe", { aggregates: [{ fn: "count" }] }),
        expect: { before: false, after: true } },
    ],
  },
  {
    name: "schema cache TTL (stdio)",
    transport: "sdk",
    cases: [
      // 2.5 s without a reload at the default TTL of 300 s, then a reload within 1 s of TTL 1.
      { key: "schema.cache_ttl_seconds", before: {}, after: { schema: { cache_ttl_seconds: 1 } },
        probe: newTableListedWithin(2500), expect: { before: false, after: true } },
    ],
  },
  {
    name: "shutdown drain (stdio, a server per probe)",
    transport: "sdk",
    destructive: true,
    cases: [
      { key: "shutdown_timeout_ms", before: { shutdown_timeout_ms: 0 }, after: { shutdown_timeout_ms: 10000 },
        probe: callDuringShutdown, expect: { before: "cut", after: "completed" } },
    ],
  },
];

// Served by http/ and protocol/, which read the current settings for every request.
const HTTP_CASES = {
  name: "HTTP request limits (stateless POST /mcp)",
  transport: "http",
  base: { auth: { mode: "none" } },
  cases: [
    { key: "http.max_body_bytes", before: {}, after: { http: { max_body_bytes: 1024 } },
      probe: httpPost(httpList(2000)), expect: { before: "200 result", after: "413" } },
    { key: "http.allowed_origins", before: {}, after: { http: { allowed_origins: ["https://agents.example"] } },
      probe: httpPost(httpList(0), { Origin: "https://agents.example" }), expect: { before: "403 -32600", after: "200 result" } },
    { key: "limits.max_json_depth (HTTP)", before: {}, after: { limits: { max_json_depth: 8 } },
      probe: httpPost({ jsonrpc: "2.0", id: 1, method: "tools/call",
                        params: { name: "query_settings_probe", arguments: { where: { id: { in: nested(12) } } }, _meta: META } },
                      { "Mcp-Name": "query_settings_probe" }),
      expect: { before: "200 result", after: "400 -32700" } },
  ],
};

// --- the runner -----------------------------------------------------------------------------------
function merge(a, b) {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const plain = (x) => x && typeof x === "object" && !Array.isArray(x);
    out[k] = plain(v) && plain(out[k]) ? merge(out[k], v) : v;
  }
  return out;
}
// Two levels of tables: [section] and [section.name] (tables.<table>).
function toToml(config) {
  const plain = (x) => x && typeof x === "object" && !Array.isArray(x);
  const lines = [];
  const section = (name, obj) => {
    const scalars = Object.entries(obj).filter(([, v]) => !plain(v));
    if (name && scalars.length) lines.push(`[${name}]`);
    for (const [k, v] of scalars) lines.push(`${k} = ${JSON.stringify(v)}`);
    for (const [k, v] of Object.entries(obj).filter(([, x]) => plain(x))) section(name ? `${name}.${k}` : k, v);
  };
  section("", config);
  return lines.join("\n") + "\n";
}

async function startServer(group, configPath) {
  if (group.transport === "http") {
    const http = await startHttp("", ["--config", configPath]);  // the last --config counts
    return { http, pid: http.proc.pid, stderr: () => http.logs.join("\n"), stop: () => http.stop() };
  }
  if (group.transport === "raw") {
    const raw = spawnRaw(["--config", configPath]);
    await raw.initialize();
    return { raw, pid: raw.proc.pid, stderr: () => raw.stderr.join(""), stop: () => raw.close() };
  }
  const s = await connect(["--config", configPath]);
  return { client: s.client, pid: s.transport.pid, stderr: () => s.stderr.join(""),
           stop: () => s.client.close().catch(() => {}) };
}

async function probeAll(group, ctx, phase, results) {
  for (const c of group.cases) {
    try {
      results.get(c.key)[phase] = { value: await c.probe(ctx) };
    } catch (e) {
      results.get(c.key)[phase] = { error: e };
    }
  }
}

// SIGHUP forces a schema rebuild; its log line says the new settings are in force.
async function reloadWith(ctx, configPath, config) {
  const reloads = () => (ctx.stderr().match(/"event":"schema_reload(_failed)?"/g) ?? []).length;
  const seen = reloads();
  writeFileSync(configPath, toToml(config));
  process.kill(ctx.pid, "SIGHUP");
  await waitFor("the reload after SIGHUP", () => reloads() > seen, 15000);
}

function runGroup(group) {
  describe(group.name, () => {
    const results = new Map(group.cases.map((c) => [c.key, {}]));
    const servers = [];
    before(async () => {
      const beforeConfig = group.cases.reduce((acc, c) => merge(acc, c.before), group.base ?? {});
      const afterConfig = group.cases.reduce((acc, c) => merge(acc, c.after), beforeConfig);
      const configPath = writeTemp("pgmcp.toml", toToml(beforeConfig));
      let ctx = await startServer(group, configPath);
      servers.push(ctx);
      await probeAll(group, ctx, "before", results);
      if (group.destructive) {
        writeFileSync(configPath, toToml(beforeConfig));
        ctx = await startServer(group, configPath);
        servers.push(ctx);
      }
      await reloadWith(ctx, configPath, afterConfig);
      await probeAll(group, ctx, "after", results);
    });
    after(async () => {
      for (const s of servers) await s.stop();
    });
    for (const c of group.cases) {
      it(`${c.key}: ${JSON.stringify(c.expect.before)} before SIGHUP, ${JSON.stringify(c.expect.after)} after`, () => {
        const r = results.get(c.key);
        for (const phase of ["before", "after"]) {
          if (r[phase]?.error) throw r[phase].error;
          assert.deepEqual(r[phase]?.value, c.expect[phase], `${c.key} ${phase} the SIGHUP`);
        }
      });
    }
  });
}

before(() => {
  psql(`DROP TABLE IF EXISTS settings_probe; DROP SCHEMA IF EXISTS settings_extra CASCADE;
        CREATE TABLE settings_probe (id int PRIMARY KEY, note text, at timestamptz, hidden_ish text);
        INSERT INTO settings_probe VALUES
          (1, 'the and of', '2026-01-01 12:00:00+00', 'h1'),
          (2, E'red \\u001b[31malert\\u001b[0m', '2026-01-02 12:00:00+00', 'h2'),
          (3, '${LONG_NOTE}', '2026-01-03 12:00:00+00', 'h3'),
          (4, 'four', '2026-01-04 12:00:00+00', 'h4'),
          (5, 'five', '2026-01-05 12:00:00+00', 'h5');
        GRANT SELECT ON settings_probe TO mcp_reader;
        CREATE SCHEMA settings_extra; GRANT USAGE ON SCHEMA settings_extra TO mcp_reader;
        CREATE TABLE settings_extra.extra_t (id int PRIMARY KEY); GRANT SELECT ON settings_extra.extra_t TO mcp_reader;`);
});
after(() => {
  const ttl = Array.from({ length: ttlTables }, (_, i) => `settings_ttl_${i + 1}`);
  psql(`SET client_min_messages = warning; DROP TABLE IF EXISTS settings_probe${ttl.map((t) => ", " + t).join("")}; DROP SCHEMA IF EXISTS settings_extra CASCADE`);
});

for (const group of GROUPS) runGroup(group);
runGroup(HTTP_CASES);
