// The official MCP SDK client spawns `pgmcp --transport stdio` on the demo database, lists the
// tools and calls them, checking every answer against what PostgreSQL returns for the same question.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect, psql } from "./harness.mjs";

let session;
before(async () => {
  session = await connect();
});
after(async () => {
  await session?.client.close();
});

test("initialize negotiates the latest protocol version and names the server", () => {
  const info = session.client.getServerVersion();
  assert.equal(info.name, "pgmcp");
  const caps = session.client.getServerCapabilities();
  assert.equal(caps.tools.listChanged, true);
});

test("lists one tool per exposed table, and none for excluded tables or plain views", async () => {
  const { tools } = await session.client.listTools();
  const names = tools.map((t) => t.name).sort();
  // Exposed: tables and security_invoker views of public, minus *_migrations (docs/reference.md, Configuration).
  const expected = psql(`
    SELECT json_agg('query_' || c.relname ORDER BY 'query_' || c.relname)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
      AND c.relname NOT LIKE '%\\_migrations'
      AND (c.relkind <> 'v' OR coalesce(c.reloptions, '{}') @> '{security_invoker=true}')`, { json: true });
  assert.deepEqual(names, expected);
  assert.ok(names.includes("query_customers"));
  assert.ok(!names.includes("query_schema_migrations"));
  assert.ok(!names.includes("query_monthly_revenue"), "a plain view runs as its owner and is not exposed");
});

test("every tool is annotated read-only and carries input and output schemas", async () => {
  const { tools } = await session.client.listTools();
  for (const t of tools) {
    assert.equal(t.annotations?.readOnlyHint, true, t.name);
    assert.equal(t.annotations?.destructiveHint, false, t.name);
    assert.equal(t.inputSchema.type, "object", t.name);
    assert.equal(t.outputSchema?.type, "object", t.name);
    assert.ok(t.description.length > 20, t.name);
  }
});

test("sensitive columns are hidden from the tool description and schema", async () => {
  const { tools } = await session.client.listTools();
  const employees = tools.find((t) => t.name === "query_employees");
  assert.ok(employees);
  const text = JSON.stringify(employees);
  assert.ok(!text.includes("password_hash"));
  assert.ok(!text.includes("api_token"));
});

test("an equality filter returns exactly the rows psql returns", async () => {
  const result = await session.client.callTool({
    name: "query_customers",
    arguments: { where: { plan: "enterprise", country: "DE" }, select: ["id", "email", "mrr"], limit: 5 },
  });
  assert.equal(result.isError, false, JSON.stringify(result.content));
  const expected = psql(`
    SELECT json_agg(json_build_array(id, email, mrr) ORDER BY id) FROM (
      SELECT id, email, mrr FROM customers WHERE plan = 'enterprise' AND country = 'DE' ORDER BY id LIMIT 5) s`,
    { json: true });
  assert.deepEqual(result.structuredContent.columns, ["id", "email", "mrr"]);
  assert.deepEqual(result.structuredContent.rows, expected);
  assert.equal(result.structuredContent.row_count, expected.length);
  const more = Number(psql(`SELECT count(*) FROM customers WHERE plan = 'enterprise' AND country = 'DE'`));
  assert.equal(result.structuredContent.truncated, more > 5);
  // The text content carries the same JSON.
  assert.ok(result.content.some((c) => c.type === "text" && c.text.includes(`"row_count":${expected.length}`)));
});

test("the default limit applies when none is given", async () => {
  const result = await session.client.callTool({ name: "query_orders", arguments: {} });
  assert.equal(result.isError, false);
  assert.equal(result.structuredContent.row_count, 100);
  assert.equal(result.structuredContent.truncated, true);
  const firstIds = psql(`SELECT json_agg(id ORDER BY id) FROM (SELECT id FROM orders ORDER BY id LIMIT 100) s`, { json: true });
  const idColumn = result.structuredContent.columns.indexOf("id");
  assert.deepEqual(result.structuredContent.rows.map((r) => r[idColumn]), firstIds);
});

test("a value that is not valid for the column is an isError result, not a protocol error", async () => {
  const result = await session.client.callTool({ name: "query_customers", arguments: { where: { id: "12abc" } } });
  assert.equal(result.isError, true);
  assert.match(result.content[0].text, /id/);
});

test("a limit above max_rows is refused", async () => {
  const result = await session.client.callTool({ name: "query_customers", arguments: { limit: 1000000 } });
  assert.equal(result.isError, true);
});

test("naming a hidden column gives the same error as a column that does not exist", async () => {
  const hidden = await session.client.callTool({ name: "query_employees", arguments: { where: { password_hash: "x" } } });
  const missing = await session.client.callTool({ name: "query_employees", arguments: { where: { no_such_col: "x" } } });
  assert.equal(hidden.isError, true);
  assert.equal(missing.isError, true);
  assert.equal(hidden.content[0].text.replace("password_hash", "X"), missing.content[0].text.replace("no_such_col", "X"));
});

test("hostile strings are data: nothing matches and nothing changes", async () => {
  const before = psql(`SELECT count(*) FROM customers`);
  for (const payload of ["'; DROP TABLE customers; --", "x' OR '1'='1", "$$; COMMIT; DELETE FROM orders; $$"]) {
    const result = await session.client.callTool({ name: "query_customers", arguments: { where: { email: payload } } });
    assert.equal(result.isError, false);
    assert.equal(result.structuredContent.row_count, 0);
  }
  assert.equal(psql(`SELECT count(*) FROM customers`), before);
});

test("an unknown tool is a JSON-RPC error", async () => {
  await assert.rejects(session.client.callTool({ name: "query_nope", arguments: {} }), /-32602|Unknown tool/);
});

test("twenty concurrent calls all succeed and a ping is answered meanwhile", async () => {
  const calls = [];
  for (let i = 1; i <= 20; i++) {
    calls.push(session.client.callTool({ name: "query_orders", arguments: { where: { customer_id: i }, limit: 3 } }));
  }
  await session.client.ping();
  const results = await Promise.all(calls);
  for (const r of results) assert.equal(r.isError, false);
});

test("the schema is served as resources: an overview and one document per table", async () => {
  const { resources } = await session.client.listResources();
  const uris = resources.map((r) => r.uri);
  assert.ok(uris.includes("pgmcp://schema"));
  assert.ok(uris.includes("pgmcp://schema/public/customers"));
  assert.ok(!uris.some((u) => u.includes("schema_migrations")));
  const table = await session.client.readResource({ uri: "pgmcp://schema/public/customers" });
  const doc = JSON.parse(table.contents[0].text);
  assert.ok(JSON.stringify(doc).includes("mrr"));
  const employees = await session.client.readResource({ uri: "pgmcp://schema/public/employees" });
  assert.ok(!employees.contents[0].text.includes("password_hash"), "hidden columns stay hidden in resources");
  await assert.rejects(session.client.readResource({ uri: "pgmcp://schema/public/nope" }));
});
