// The client adapters people build agents with, as they are (pinned in package.json): LangChain's
// @langchain/mcp-adapters (MultiServerMCPClient: its JSON-Schema simplification and its argument
// validation) and the Vercel AI SDK's @ai-sdk/mcp (createMCPClient -> tools() -> execute), each over
// stdio and over HTTP with a JWT. They list pgmcp's tools, accept every schema, and the README's
// documented calls pass their schema handling and return the rows psql returns.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { MultiServerMCPClient } from "@langchain/mcp-adapters";
import { createMCPClient } from "@ai-sdk/mcp";
import { Experimental_StdioMCPTransport } from "@ai-sdk/mcp/mcp-stdio";
import { bin, psql, readerDsn, startHttp, jwtConfig, signHs, now } from "./harness.mjs";

const secret = "e2e-adapters-secret-at-least-32-bytes!!";
const audience = "pgmcp-e2e-adapters";
const role = "e2e_adapter_analyst";
let server;

// The README's calls (README.md, "Then ask, for example"), in the operator-object form it documents.
const readmeCalls = [
  {
    args: { where: { plan: { eq: "enterprise" }, country: { eq: "DE" } },
            aggregates: [{ fn: "count" }, { fn: "sum", column: "mrr" }] },
    sql: `SELECT json_build_array(count(*), sum(mrr)) FROM customers WHERE plan = 'enterprise' AND country = 'DE'`,
  },
  {
    args: { where: { created_at: { gte: "2026-01-01" } }, group_by: [{ column: "plan" }],
            aggregates: [{ fn: "sum", column: "mrr" }], order_by: [{ column: "sum_mrr", direction: "desc" }] },
    sql: `SELECT coalesce(json_agg(json_build_array(plan, s) ORDER BY s DESC NULLS LAST), '[]') FROM (
            SELECT plan, sum(mrr) AS s FROM customers WHERE created_at >= '2026-01-01T00:00:00Z' GROUP BY plan) x`,
  },
  {
    // A path along orders.customer_id: a LEFT JOIN to customers. Groups come in no promised order.
    tool: "query_orders",
    unordered: true,
    args: { where: { "customer_id.plan": { eq: "enterprise" } }, group_by: [{ column: "customer_id.country" }],
            aggregates: [{ fn: "sum", column: "total" }] },
    sql: `SELECT json_agg(json_build_array(country, s)) FROM (
            SELECT c.country, sum(o.total) AS s FROM orders o LEFT JOIN customers c ON c.id = o.customer_id
            WHERE c.plan = 'enterprise' GROUP BY c.country) x`,
  },
];
const toolOf = (call) => call.tool ?? "query_customers";
const comparable = (call, rows) => (call.unordered ? [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)) : rows);

// Plain rows, with null for unused optional fields inside operator objects and list entries.
const nullsCall = {
  args: { where: { plan: { eq: "pro", neq: null, in: null }, country: { is_null: null } }, select: ["id", "plan"],
          order_by: [{ column: "id", direction: null }], limit: 3 },
  sql: `SELECT json_agg(json_build_array(id, plan) ORDER BY id) FROM (SELECT id, plan FROM customers
        WHERE plan = 'pro' ORDER BY id LIMIT 3) x`,
};

// What psql says, in the JSON pgmcp returns (numbers as numbers).
const expectedRows = (sql) => {
  const rows = psql(sql, { json: true });
  return Array.isArray(rows[0]) ? rows.map((r) => r.map(normalize)) : [rows.map(normalize)];
};
const normalize = (v) => (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v);
const rowsOf = (envelope) => envelope.rows.map((r) => r.map(normalize));

before(async () => {
  // A role that may read the demo tables, for the JWT path; created once per cluster.
  psql(`DO $$ BEGIN
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} NOLOGIN; END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
        GRANT ${role} TO mcp_reader; GRANT USAGE ON SCHEMA public TO ${role};
        GRANT SELECT ON customers, orders TO ${role}; SELECT 1`);
  server = await startHttp(jwtConfig({ secret, audience, roles: [role] }));
});
after(async () => {
  assert.equal(await server?.stop(), 0);
});

const bearer = () => signHs({ role, sub: "adapter-test", aud: audience, exp: now() + 300 }, secret);
const stdioCommand = { command: bin, args: ["--transport", "stdio", "--dsn", readerDsn(), "--log-level", "error"] };

// LangChain: invoke returns the text content block, with the call's structuredContent (the
// envelope) attached; the text holds the same JSON inside the untrusted-data markers.
function langchainEnvelope(result) {
  const block = Array.isArray(result) ? result[0] : result;
  assert.equal(block.type, "text", JSON.stringify(result).slice(0, 300));
  const fromText = JSON.parse(block.text.match(/\{"columns".*\}/s)[0]);
  assert.deepEqual(block.structuredContent ?? fromText, fromText);
  return fromText;
}

async function exerciseLangChain(connection) {
  const client = new MultiServerMCPClient({ mcpServers: { pg: connection }, throwOnLoadError: true });
  try {
    const tools = await client.getTools();
    const byName = new Map(tools.map((t) => [t.name.replace(/^pg__/, ""), t]));
    assert.ok(byName.has("query_customers"), [...byName.keys()].join(", "));
    const customers = byName.get("query_customers");
    for (const call of readmeCalls) {
      const envelope = langchainEnvelope(await byName.get(toolOf(call)).invoke(call.args));
      assert.deepEqual(comparable(call, rowsOf(envelope)), comparable(call, expectedRows(call.sql)),
                       JSON.stringify(call.args));
    }
    // Nested nulls for unused fields (strict-mode converters send them) pass LangChain's own
    // validation, since operator objects and list entries are typed "object", and mean absent.
    const envelope = langchainEnvelope(await customers.invoke(nullsCall.args));
    assert.deepEqual(envelope.columns, ["id", "plan"]);
    assert.deepEqual(rowsOf(envelope), psql(nullsCall.sql, { json: true }));
    return tools.length;
  } finally {
    await client.close();
  }
}

// AI SDK: execute returns the MCP CallToolResult; the rows are its structuredContent.
async function exerciseAiSdk(transport) {
  const client = await createMCPClient({ transport });
  try {
    const tools = await client.tools();
    assert.ok(tools.query_customers, Object.keys(tools).join(", "));
    const options = { toolCallId: "call-1", messages: [] };
    for (const call of readmeCalls) {
      const result = await tools[toolOf(call)].execute(call.args, options);
      assert.notEqual(result.isError, true, JSON.stringify(result.content));
      assert.deepEqual(comparable(call, rowsOf(result.structuredContent)), comparable(call, expectedRows(call.sql)),
                       JSON.stringify(call.args));
    }
    // The AI SDK passes arguments through as the model wrote them: null at the top level too.
    const result = await tools.query_customers.execute(
      { ...nullsCall.args, offset: null, group_by: null, aggregates: null }, options);
    assert.notEqual(result.isError, true, JSON.stringify(result.content));
    assert.deepEqual(rowsOf(result.structuredContent), psql(nullsCall.sql, { json: true }));
    return Object.keys(tools).length;
  } finally {
    await client.close();
  }
}

test("LangChain over stdio: every tool loads and the README calls return psql's rows", async () => {
  const count = await exerciseLangChain({ transport: "stdio", ...stdioCommand });
  assert.ok(count >= 9, `${count} tools`);
});

test("LangChain over HTTP with a JWT: the same calls as the token's role", async () => {
  const count = await exerciseLangChain({ transport: "http", url: server.url,
                                          headers: { Authorization: `Bearer ${bearer()}` } });
  assert.ok(count >= 2, `${count} tools`);
});

test("AI SDK over stdio: tools() and execute return the README calls' rows", async () => {
  const count = await exerciseAiSdk(new Experimental_StdioMCPTransport(stdioCommand));
  assert.ok(count >= 9, `${count} tools`);
});

test("AI SDK over HTTP with a JWT: the same calls as the token's role", async () => {
  const count = await exerciseAiSdk({ type: "http", url: server.url, headers: { Authorization: `Bearer ${bearer()}` } });
  assert.ok(count >= 2, `${count} tools`);
});
