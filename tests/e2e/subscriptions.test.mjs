// subscriptions/listen (docs/reference.md, "Subscriptions"): stateless-era clients hear of list
// changes without polling. Over HTTP with a JWT (the official v2 client's listen()) and over stdio
// (raw JSON-RPC: the client is the process's only peer), a migration announced by NOTIFY reaches
// each subscriber of the role whose list changed within 2 s and the new table is callable; a
// subscriber of another role hears nothing; a stream ends with its token.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { psql, startHttp, jwtConfig, writeTemp, signHs, now, spawnRaw } from "./harness.mjs";

const secret = "e2e-subscriptions-secret-32-bytes-long!";
const audience = "pgmcp-e2e-subscriptions";
const WRITER = "e2e_subs_writer";  // the role whose list the migration changes
const OTHER = "e2e_subs_other";    // a role whose list does not change
const PROPAGATION_MS = 2000;
let server;
let stdio;
const clients = [];

const token = (role, ttl = 600) => signHs({ role, sub: `${role}-1`, aud: audience, exp: now() + ttl }, secret);
const meta = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientCapabilities": {},
};

before(async () => {
  psql(`DO $$ BEGIN
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${WRITER}') THEN CREATE ROLE ${WRITER} NOLOGIN; END IF;
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${OTHER}') THEN CREATE ROLE ${OTHER} NOLOGIN; END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END $$;
        GRANT ${WRITER}, ${OTHER} TO mcp_reader;
        DROP TABLE IF EXISTS subs_base, subs_added;
        CREATE TABLE subs_base (id int PRIMARY KEY);
        GRANT SELECT ON subs_base TO ${WRITER}, ${OTHER}`);
  server = await startHttp(jwtConfig({ secret, audience, roles: [WRITER, OTHER], extra: `[schema]
include_tables = ["subs_*"]
` }));
  stdio = spawnRaw(["--config", writeTemp("pgmcp.toml",
    `[auth]\nanonymous_role = "${WRITER}"\n[schema]\ninclude_tables = ["subs_*"]\n`)]);
});
after(async () => {
  await server?.stop();
  for (const c of clients) await c.close().catch(() => {});
  await stdio?.close();
  psql(`DROP TABLE IF EXISTS subs_base, subs_added`);
});

// A v2 client in the stateless era, subscribed to both list changes; `changes` records each
// tools/list_changed with the time it arrived.
async function subscriber(role, ttl = 600) {
  const client = new Client({ name: `pgmcp-e2e-${role}`, version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url), {
    requestInit: { headers: { Authorization: `Bearer ${token(role, ttl)}` } },
  }));
  clients.push(client);
  const changes = [];
  client.setNotificationHandler("notifications/tools/list_changed", () => changes.push(Date.now()));
  const subscription = await client.listen({ toolsListChanged: true, resourcesListChanged: true });
  return { client, changes, subscription };
}

async function arrived(changes, count, what) {
  const deadline = Date.now() + 10000;
  while (changes.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.ok(changes.length >= count, `no list_changed for ${what}`);
  return changes[count - 1];
}

test("the server advertises the list changes a subscription can ask for", async () => {
  const r = await fetch(server.url, { method: "POST", headers: {
    "Content-Type": "application/json", Accept: "application/json", Authorization: `Bearer ${token(WRITER)}`,
    "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "server/discover" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "server/discover", params: { _meta: meta } }) });
  const { result } = await r.json();
  assert.equal(result.capabilities.tools.listChanged, true);
  assert.equal(result.capabilities.resources.listChanged, true);
});

test("a migration reaches every subscriber of the changed role within 2 s, and no one else", async () => {
  const writer = await subscriber(WRITER);
  const other = await subscriber(OTHER);
  assert.deepEqual(writer.subscription.honoredFilter, { toolsListChanged: true, resourcesListChanged: true });

  const listed = await stdio.request({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: meta } });
  assert.ok(listed.result.tools.some((t) => t.name === "query_subs_base"));
  const stdioChanges = [];
  const listen = { jsonrpc: "2.0", id: "stdio-listen", method: "subscriptions/listen",
                   params: { _meta: meta, notifications: { toolsListChanged: true } } };
  const acknowledged = stdio.nextMessage((m) => m.method === "notifications/subscriptions/acknowledged");
  await stdio.write(JSON.stringify(listen) + "\n");
  const stdioAck = await acknowledged;
  assert.equal(stdioAck.params._meta["io.modelcontextprotocol/subscriptionId"], "stdio-listen");
  assert.deepEqual(stdioAck.params.notifications, { toolsListChanged: true });
  const stdioChanged = stdio.nextMessage((m) => m.method === "notifications/tools/list_changed")
    .then((m) => { stdioChanges.push(Date.now()); return m; });

  const applied = Date.now();
  psql(`CREATE TABLE subs_added (id int PRIMARY KEY, label text); INSERT INTO subs_added VALUES (1, 'new');
        GRANT SELECT ON subs_added TO ${WRITER}`);
  psql(`NOTIFY pgmcp, 'reload schema'`);
  const httpAt = await arrived(writer.changes, 1, "the HTTP subscriber");
  const stdioMessage = await stdioChanged;
  assert.equal(stdioMessage.params._meta["io.modelcontextprotocol/subscriptionId"], "stdio-listen");
  const httpMs = httpAt - applied;
  const stdioMs = stdioChanges[0] - applied;
  console.log(`# list_changed after the migration: http ${httpMs} ms, stdio ${stdioMs} ms`);
  assert.ok(httpMs < PROPAGATION_MS, `HTTP subscriber waited ${httpMs} ms`);
  assert.ok(stdioMs < PROPAGATION_MS, `stdio subscriber waited ${stdioMs} ms`);

  const r = await writer.client.callTool({ name: "query_subs_added", arguments: {} });
  assert.equal(r.isError, false, JSON.stringify(r.content));
  assert.deepEqual(r.structuredContent.rows, [[1, "new"]]);
  const viaStdio = await stdio.request({ jsonrpc: "2.0", id: 2, method: "tools/call",
                                         params: { _meta: meta, name: "query_subs_added", arguments: {} } });
  assert.deepEqual(viaStdio.result.structuredContent.rows, [[1, "new"]]);

  // Now only the other role's list changes: its stream is ordered, so one notification now means
  // it heard nothing of the first migration.
  psql(`GRANT SELECT ON subs_added TO ${OTHER}`);
  psql(`NOTIFY pgmcp, 'reload schema'`);
  await arrived(other.changes, 1, "the other role");
  assert.equal(other.changes.length, 1, "the other role was told of a change that was not its own");
  assert.equal(writer.changes.length, 1, "the writer was told of the other role's change");
});

test("a bad filter is refused with a clear error", async () => {
  const r = await fetch(server.url, { method: "POST", headers: {
    "Content-Type": "application/json", Accept: "application/json, text/event-stream",
    Authorization: `Bearer ${token(WRITER)}`, "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "subscriptions/listen" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "subscriptions/listen",
                           params: { _meta: meta, notifications: { toolsListChanged: "yes" } } }) });
  assert.equal(r.status, 400);
  const { error } = await r.json();
  assert.equal(error.code, -32602);
  assert.equal(error.message, 'Invalid params: "notifications.toolsListChanged" must be true or false.');
});

test("a stream lives no longer than its token", async () => {
  const started = Date.now();
  const { subscription } = await subscriber(WRITER, 3);
  const how = await Promise.race([subscription.closed,
                                  new Promise((r) => setTimeout(() => r("still open"), 8000))]);
  assert.equal(how, "remote", "the stream ended by the server, without a graceful result");
  assert.ok(Date.now() - started < 8000);
});

test("stopping the server ends open subscriptions with their result, over HTTP and stdio", async () => {
  const { subscription } = await subscriber(OTHER);
  const closedResult = stdio.nextMessage((m) => m.id === "stdio-listen" && m.result !== undefined);
  assert.equal(await server.stop(), 0, "SIGTERM drains and exits 0 with a subscription open");
  assert.equal(await subscription.closed, "graceful");
  stdio.proc.kill("SIGTERM");
  const result = await closedResult;
  assert.equal(result.result._meta["io.modelcontextprotocol/subscriptionId"], "stdio-listen");
});
