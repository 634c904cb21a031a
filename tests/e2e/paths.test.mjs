// Questions across foreign keys (docs/query-language.md, "Paths") through the official SDK client:
// over stdio on the demo database, compared with psql; and over HTTP with a tenant's token, where
// row-level security on the parent table gives nulls and never changes the number of rows.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { connect, psql, startHttp, writeTemp, signHs, now } from "./harness.mjs";

let stdio;
before(async () => {
  stdio = await connect();
});
after(async () => {
  await stdio?.client.close();
});

const call = (name, args) => stdio.client.callTool({ name, arguments: args });
const rowsOf = (r) => {
  assert.equal(r.isError, false, JSON.stringify(r.content));
  assert.equal(r.structuredContent.truncated, false);
  return r.structuredContent.rows;
};

test("descriptions name the keys a path can follow", async () => {
  const { tools } = await stdio.client.listTools();
  const byName = new Map(tools.map((t) => [t.name, t.description]));
  assert.match(byName.get("query_orders"),
    /customer_id → customers: use customer_id\.<column> to filter, group or select by the customer\./);
  assert.match(byName.get("query_order_items"), /order_id → orders, product_id → products: use order_id\.<column> or product_id\.<column>/);
  assert.match(byName.get("query_order_items"), /Two keys deep: order_id\.customer_id\.<column>/);
  // employees.manager_id points at employees itself: a cycle, not offered.
  assert.doesNotMatch(byName.get("query_employees"), /manager_id →/);
});

test("a filter on the customer's plan equals psql's join", async () => {
  const r = await call("query_orders", { where: { "customer_id.plan": { eq: "enterprise" } }, aggregates: [{ fn: "count" }, { fn: "sum", column: "total" }] });
  const expected = psql(`SELECT json_build_array(count(*), sum(o.total)) FROM orders o JOIN customers c ON c.id = o.customer_id
    WHERE c.plan = 'enterprise'`, { json: true });
  assert.deepEqual(rowsOf(r), [expected]);
  assert.deepEqual(r.structuredContent.columns, ["count", "sum_total"]);
});

test("selected parent columns keep the path as their name and every row", async () => {
  const r = await call("query_orders", { select: ["id", "total", "customer_id.email"], where: { total: { gte: 50000 } },
                                          order_by: [{ column: "customer_id.email" }, { column: "id" }], limit: 1000 });
  assert.deepEqual(r.structuredContent.columns, ["id", "total", "customer_id.email"]);
  const expected = psql(`SELECT coalesce(json_agg(json_build_array(o.id, o.total, c.email) ORDER BY c.email, o.id), '[]')
    FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE o.total >= 50000`, { json: true });
  assert.ok(expected.length > 0);
  assert.deepEqual(rowsOf(r), expected);
});

test("revenue per customer plan and distinct countries, grouped along the key", async () => {
  const r = await call("query_orders", { group_by: ["customer_id.plan"],
    aggregates: [{ fn: "sum", column: "total" }, { fn: "count_distinct", column: "customer_id.country" }] });
  assert.deepEqual(r.structuredContent.columns, ["customer_id.plan", "sum_total", "count_distinct_customer_id.country"]);
  const expected = psql(`SELECT json_agg(json_build_array(plan, s, n) ORDER BY plan) FROM (
    SELECT c.plan, sum(o.total) AS s, count(DISTINCT c.country) AS n FROM orders o LEFT JOIN customers c ON c.id = o.customer_id
    GROUP BY c.plan) x`, { json: true });
  assert.deepEqual(rowsOf(r), expected);
});

test("two keys deep: items sold to German enterprise customers, per product", async () => {
  const r = await call("query_order_items", {
    where: { "order_id.customer_id.plan": "enterprise", "order_id.customer_id.country": "DE" },
    group_by: ["product_id.name"], aggregates: [{ fn: "sum", column: "quantity" }], limit: 1000 });
  const expected = psql(`SELECT coalesce(json_agg(json_build_array(name, q) ORDER BY name), '[]') FROM (
    SELECT p.name, sum(i.quantity) AS q FROM order_items i JOIN orders o ON o.id = i.order_id
    JOIN customers c ON c.id = o.customer_id JOIN products p ON p.id = i.product_id
    WHERE c.plan = 'enterprise' AND c.country = 'DE' GROUP BY p.name) x`, { json: true });
  assert.deepEqual(rowsOf(r), expected);
});

test("paths that cannot be followed answer like a column that does not exist", async () => {
  const missing = await call("query_orders", { select: ["no_such_column"] });
  assert.equal(missing.isError, true);
  const sentence = (name) => missing.content[0].text.replace('"no_such_column"', JSON.stringify(name));
  for (const [tool, name] of [
    ["query_orders", "customer_id.no_such_column"],
    ["query_employees", "manager_id.full_name"],            // a key to its own table
    ["query_orders", "status.plan"],                        // not a key
    ["query_orders", "customer_id.password_hash"],          // not a column of customers
    ["query_order_items", "order_id.customer_id.account_manager_id.email"],  // a third key
    ["query_orders", "customer_id.plan\"; DROP TABLE orders; --"],
  ]) {
    const r = await call(tool, { select: [name] });
    assert.equal(r.isError, true, name);
    if (tool === "query_orders") assert.equal(r.content[0].text, sentence(name));
    assert.match(r.content[0].text, /^Unknown column /, name);
  }
  // employees.password_hash is hidden by default: through a key it is as unknown as on employees.
  const hidden = await call("query_customers", { select: ["account_manager_id.password_hash"] });
  assert.equal(hidden.isError, true);
  assert.match(hidden.content[0].text, /^Unknown column "account_manager_id.password_hash" in select/);
  assert.equal(psql("SELECT to_regclass('public.orders') IS NOT NULL"), "t", "a payload in a path is never SQL");
});

// Over HTTP with a tenant's token: tenant_note_links is readable by every tenant, tenant_notes
// only row by row (row-level security on the claims).
const secret = "e2e-secret-that-is-at-least-32-bytes-long!";
const audience = "pgmcp-e2e";
const token = (tenant) => signHs({ role: "e2e_tenant_user", tenant, sub: `user-${tenant}`, aud: audience, exp: now() + 300 }, secret);

function asTenant(tenant, sql) {
  return psql(`BEGIN; SET LOCAL ROLE e2e_tenant_user;
    SELECT set_config('request.jwt.claims', '{"tenant":"${tenant}"}', true);
    ${sql}; COMMIT;`).split("\n").filter((l) => l !== "" && l !== "BEGIN" && l !== "COMMIT" && !l.startsWith("SET")).pop();
}

test("under row-level security a path gives nulls for hidden parents and keeps every row", async () => {
  const server = await startHttp(`
[auth]
mode = "jwt"
jwt_secret_file = "${writeTemp("jwt.secret", secret + "\n")}"
audience = "${audience}"
allowed_roles = ["e2e_tenant_user"]
`);
  try {
    for (const tenant of ["acme", "globex"]) {
      const client = new Client({ name: "pgmcp-e2e-paths", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(server.url), {
        requestInit: { headers: { Authorization: `Bearer ${token(tenant)}` } } }));
      const all = await client.callTool({ name: "query_tenant_note_links",
        arguments: { select: ["id", "note_id.tenant", "note_id.amount"], limit: 1000 } });
      assert.deepEqual(all.structuredContent.columns, ["id", "note_id.tenant", "note_id.amount"]);
      const rows = rowsOf(all);
      assert.equal(rows.length, 90, "row counts never change");
      assert.deepEqual([...new Set(rows.map((r) => r[1]).filter((t) => t !== null))], [tenant]);
      const expected = JSON.parse(asTenant(tenant, `SELECT json_agg(json_build_array(l.id, n.tenant, n.amount) ORDER BY l.id)
        FROM tenant_note_links l LEFT JOIN tenant_notes n ON n.id = l.note_id`));
      assert.deepEqual(rows, expected);

      // Another tenant's notes match only is_null: their columns are null for this caller.
      const other = tenant === "acme" ? "globex" : "acme";
      const probe = await client.callTool({ name: "query_tenant_note_links", arguments: { where: { "note_id.tenant": other } } });
      assert.equal(probe.structuredContent.row_count, 0);
      const grouped = await client.callTool({ name: "query_tenant_note_links",
        arguments: { group_by: ["note_id.tenant"], aggregates: [{ fn: "count" }] } });
      const counts = JSON.parse(asTenant(tenant, `SELECT json_agg(json_build_array(t, n) ORDER BY t) FROM (SELECT n.tenant AS t, count(*) AS n
        FROM tenant_note_links l LEFT JOIN tenant_notes n ON n.id = l.note_id GROUP BY n.tenant) x`));
      assert.deepEqual(rowsOf(grouped), counts);
      assert.equal(counts.reduce((s, [, n]) => s + n, 0), 90);
      await client.close();
    }
  } finally {
    assert.equal(await server.stop(), 0);
  }
});
