// What each caller sees (docs/security.md, "What a caller sees"): two JWT roles with different table
// and column privileges get different tool lists and resources; a tool, table or column a role may
// not read answers exactly like one that does not exist; a GRANT and a reload tell the session of
// the role whose list changed, and only that one.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { connect, psql, startHttp, jwtConfig, writeTemp, signHs, now } from "./harness.mjs";

const secret = "e2e-visibility-secret-at-least-32-bytes!";
const audience = "pgmcp-e2e-visibility";
const ANALYST = "e2e_vis_analyst";
const CLERK = "e2e_vis_clerk";
let server;
const clients = [];

const token = (role) => signHs({ role, sub: `${role}-1`, aud: audience, exp: now() + 600 }, secret);

// vis_accounts: the analyst reads it whole, the clerk only (id, name) by column grants.
// vis_audit: the analyst only. vis_ledger: the clerk only, with a foreign key to vis_accounts.
before(async () => {
  psql(`DO $$ BEGIN
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${ANALYST}') THEN CREATE ROLE ${ANALYST} NOLOGIN; END IF;
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${CLERK}') THEN CREATE ROLE ${CLERK} NOLOGIN; END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END $$;
        GRANT ${ANALYST}, ${CLERK} TO mcp_reader;
        DROP TABLE IF EXISTS vis_ledger, vis_audit, vis_accounts, vis_notes, "Vis-Notes";
        CREATE TABLE vis_accounts (id int PRIMARY KEY, name text NOT NULL, risk_score int NOT NULL);
        COMMENT ON COLUMN vis_accounts.risk_score IS 'Internal fraud risk, 0 to 100.';
        CREATE TABLE vis_audit (id int PRIMARY KEY, note text NOT NULL);
        CREATE TABLE vis_ledger (id int PRIMARY KEY, account_id int NOT NULL REFERENCES vis_accounts (id),
                                 amount numeric(10, 2) NOT NULL);
        INSERT INTO vis_accounts VALUES (1, 'Ada', 12), (2, 'Grace', 87);
        INSERT INTO vis_audit VALUES (1, 'rotated keys');
        INSERT INTO vis_ledger VALUES (1, 1, 10.50), (2, 2, 99.00);
        GRANT SELECT ON vis_accounts, vis_audit TO ${ANALYST};
        GRANT SELECT (id, name) ON vis_accounts TO ${CLERK};
        GRANT SELECT ON vis_ledger TO ${CLERK};
        -- Both names become query_vis_notes; the full snapshot gives it to vis_notes.
        CREATE TABLE vis_notes (id int PRIMARY KEY, body text);
        CREATE TABLE "Vis-Notes" (id int PRIMARY KEY, body text);
        INSERT INTO vis_notes VALUES (1, 'the analyst''s note');
        INSERT INTO "Vis-Notes" VALUES (1, 'the clerk''s note');
        GRANT SELECT ON vis_notes TO ${ANALYST};
        GRANT SELECT ON "Vis-Notes" TO ${CLERK}`);
  server = await startHttp(jwtConfig({ secret, audience, roles: [ANALYST, CLERK], extra: `[schema]
include_tables = ["vis_*", "Vis-*"]
` }));
});
after(async () => {
  for (const c of clients) await c.close().catch(() => {});
  const code = await server?.stop();
  psql(`DROP TABLE IF EXISTS vis_ledger, vis_audit, vis_accounts, vis_notes, "Vis-Notes"`);
  assert.equal(code, 0, "SIGTERM drains and exits 0");
});

async function sdkClient(role) {
  const transport = new StreamableHTTPClientTransport(new URL(server.url), {
    requestInit: { headers: { Authorization: `Bearer ${token(role)}` } },
  });
  const client = new Client({ name: `pgmcp-e2e-${role}`, version: "1.0.0" });
  await client.connect(transport);
  clients.push(client);
  return client;
}

const toolNames = async (client) => (await client.listTools()).tools.map((t) => t.name).sort();

// The JSON-RPC error (code and message) a call is refused with, the tool name replaced by NAME.
async function refusal(client, name, args = {}) {
  try {
    await client.callTool({ name, arguments: args });
  } catch (e) {
    return { code: e.code, message: e.message.replaceAll(name, "NAME") };
  }
  throw new Error(`${name} was not refused`);
}

// The isError text of a call, the column name replaced by COLUMN.
async function errorText(client, args, column) {
  const r = await client.callTool({ name: "query_vis_accounts", arguments: args });
  assert.equal(r.isError, true, JSON.stringify(r.content));
  return r.content[0].text.replaceAll(column, "COLUMN");
}

test("two roles are listed the tables and columns each may select", async () => {
  const analyst = await sdkClient(ANALYST);
  const clerk = await sdkClient(CLERK);
  assert.deepEqual(await toolNames(analyst), ["query_vis_accounts", "query_vis_audit", "query_vis_notes"]);
  assert.deepEqual(await toolNames(clerk), ["query_vis_accounts", "query_vis_ledger", "query_vis_notes"]);
  const accounts = (await clerk.listTools()).tools.find((t) => t.name === "query_vis_accounts");
  assert.ok(!JSON.stringify(accounts).includes("risk_score"), "the clerk's tool names no hidden column");
  assert.ok(!JSON.stringify(accounts).includes("fraud"), "nor its comment");
  const full = (await analyst.listTools()).tools.find((t) => t.name === "query_vis_accounts");
  assert.ok(JSON.stringify(full).includes("risk_score"));
  for (const t of (await clerk.listTools()).tools) assert.ok(!JSON.stringify(t).includes("vis_audit"), t.name);
  // The clerk's rows come back, without the hidden column.
  const r = await clerk.callTool({ name: "query_vis_accounts", arguments: { order_by: [{ column: "id" }] } });
  assert.equal(r.isError, false, JSON.stringify(r.content));
  assert.deepEqual(r.structuredContent.columns, ["id", "name"]);
  assert.deepEqual(r.structuredContent.rows, [[1, "Ada"], [2, "Grace"]]);
});

// A hash suffix on the clerk's tool would tell it that a table it cannot see took the plain name.
test("tool names are given among the tables a caller sees, and /metrics labels them as the full schema does", async () => {
  const analyst = await sdkClient(ANALYST);
  const clerk = await sdkClient(CLERK);
  const body = async (client) => {
    const r = await client.callTool({ name: "query_vis_notes", arguments: {} });
    assert.equal(r.isError, false, JSON.stringify(r.content));
    return r.structuredContent.rows[0][1];
  };
  assert.equal(await body(analyst), "the analyst's note");
  assert.equal(await body(clerk), "the clerk's note");
  const clerkTool = (await clerk.listTools()).tools.find((t) => t.name === "query_vis_notes");
  assert.match(clerkTool.description, /Vis-Notes/);
  // The operator's view keeps the full schema's names: one series per table, never one for both.
  const text = await (await fetch(`${server.base}/metrics`)).text();
  const called = (label) => text.split("\n").find((l) => l.startsWith(`pgmcp_tool_calls_total{tool="${label}",status="ok"}`));
  assert.match(called("query_vis_notes") ?? "", / 1$/, text);
  const hashed = text.match(/pgmcp_tool_calls_total\{tool="(query_vis_notes_[0-9a-f]{6})",status="ok"\} 1\n/);
  assert.ok(hashed, "the clerk's call counted under the hashed name of the full schema");
});

test("a hidden table's tool answers exactly like a tool that does not exist", async () => {
  const clerk = await sdkClient(CLERK);
  const hidden = await refusal(clerk, "query_vis_audit");
  const missing = await refusal(clerk, "query_vis_nothing");
  assert.deepEqual(hidden, missing);
  assert.equal(hidden.code, -32602);
  const analyst = await sdkClient(ANALYST);
  assert.deepEqual(await refusal(analyst, "query_vis_ledger", { limit: 1 }), await refusal(analyst, "query_vis_nope", { limit: 1 }));
});

test("a hidden column answers exactly like a column that does not exist, in where and in select", async () => {
  const clerk = await sdkClient(CLERK);
  assert.equal(await errorText(clerk, { where: { risk_score: 12 } }, "risk_score"),
               await errorText(clerk, { where: { no_such_col: 12 } }, "no_such_col"));
  assert.equal(await errorText(clerk, { select: ["id", "risk_score"] }, "risk_score"),
               await errorText(clerk, { select: ["id", "no_such_col"] }, "no_such_col"));
  assert.equal(await errorText(clerk, { order_by: [{ column: "risk_score" }] }, "risk_score"),
               await errorText(clerk, { order_by: [{ column: "no_such_col" }] }, "no_such_col"));
});

test("resources show each role only its own tables and columns", async () => {
  const clerk = await sdkClient(CLERK);
  const { resources } = await clerk.listResources();
  const uris = resources.map((r) => r.uri);
  assert.ok(uris.includes("pgmcp://schema/public/vis_ledger"), JSON.stringify(uris));
  assert.ok(!uris.some((u) => u.includes("vis_audit")), JSON.stringify(uris));
  const overview = JSON.stringify(await clerk.readResource({ uri: "pgmcp://schema" }));
  assert.ok(!overview.includes("vis_audit") && !overview.includes("risk_score"), overview);
  const accounts = JSON.stringify(await clerk.readResource({ uri: "pgmcp://schema/public/vis_accounts" }));
  assert.ok(accounts.includes("name") && !accounts.includes("risk_score"), accounts);
  // Reading a hidden table's resource fails exactly like reading one that does not exist.
  const failure = async (uri) => {
    try {
      await clerk.readResource({ uri });
    } catch (e) {
      return { code: e.code, message: e.message.replaceAll(uri, "URI") };
    }
    throw new Error(`${uri} was read`);
  };
  assert.deepEqual(await failure("pgmcp://schema/public/vis_audit"), await failure("pgmcp://schema/public/vis_nope"));
});

test("over stdio, auth.anonymous_role decides what is listed and called", async () => {
  const config = writeTemp("pgmcp.toml", `[auth]\nanonymous_role = "${CLERK}"\n[schema]\ninclude_tables = ["vis_*"]\n`);
  const session = await connect(["--config", config]);
  try {
    assert.deepEqual(await toolNames(session.client), ["query_vis_accounts", "query_vis_ledger"]);
    assert.deepEqual(await refusal(session.client, "query_vis_audit"), await refusal(session.client, "query_vis_nope"));
  } finally {
    await session.client.close();
  }
});

test("list_changed after a GRANT and a reload reaches only the sessions whose list changed", async () => {
  const analyst = await sdkClient(ANALYST);
  const clerk = await sdkClient(CLERK);
  const seen = { [ANALYST]: 0, [CLERK]: 0 };
  const waiters = { [ANALYST]: [], [CLERK]: [] };
  for (const [role, client] of [[ANALYST, analyst], [CLERK, clerk]]) {
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      seen[role] += 1;
      for (const w of waiters[role].splice(0)) w();
    });
  }
  const next = (role) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no tools/list_changed for ${role}`)), 15000);
    waiters[role].push(() => { clearTimeout(timer); resolve(); });
  });
  // Each client's GET stream must be open before the reload, or the notification has nowhere to go.
  await toolNames(analyst);
  await toolNames(clerk);

  // Only the clerk's list changes: the analyst reads vis_audit already.
  let clerkChanged = next(CLERK);
  psql(`GRANT SELECT ON vis_audit TO ${CLERK}`);
  psql(`NOTIFY pgmcp, 'reload schema'`);
  await clerkChanged;
  assert.deepEqual(await toolNames(clerk), ["query_vis_accounts", "query_vis_audit", "query_vis_ledger", "query_vis_notes"]);
  assert.deepEqual(await toolNames(analyst), ["query_vis_accounts", "query_vis_audit", "query_vis_notes"]);

  // Now only the analyst's: its stream is ordered, so one notification means it got none before.
  const analystChanged = next(ANALYST);
  psql(`GRANT SELECT ON vis_ledger TO ${ANALYST}`);
  psql(`NOTIFY pgmcp, 'reload schema'`);
  await analystChanged;
  assert.equal(seen[ANALYST], 1, "the analyst was not told of the clerk's change");
  assert.equal(seen[CLERK], 1, "the clerk was not told of the analyst's change");
  assert.deepEqual(await toolNames(analyst), ["query_vis_accounts", "query_vis_audit", "query_vis_ledger", "query_vis_notes"]);
});
