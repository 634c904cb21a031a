// Discovery mode end to end (docs/reference.md, "Discovery mode"): a generated 300-table schema
// in tool_mode auto gets exactly find_tables, describe_table and query_table, whose model-visible
// size (name + description + inputSchema, o200k_base tokens) stays within 1,000; each answers like
// psql; a pinned table keeps its own tool; a table that is unknown or not visible gets one sentence.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { encode } from "gpt-tokenizer/encoding/o200k_base";
import { connect, psql, writeTemp } from "./harness.mjs";

const SCHEMA = "discovery_wide";
const WIDE_TABLES = 300;
const UNKNOWN = "No table of that name: call find_tables for the names of the tables you can query.";

// 300 tables of five columns in one DO block (fast: no round trip per table), plus a few with
// words to find, rows to query, and one the reader may not see.
const SETUP = `
  DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE;
  CREATE SCHEMA ${SCHEMA};
  DO $$ BEGIN
    FOR i IN 1..${WIDE_TABLES - 3} LOOP
      EXECUTE format('CREATE TABLE ${SCHEMA}.%I (id integer PRIMARY KEY, code text, amount numeric(10,2), '
                     'created_at timestamptz, active boolean)', 't_' || lpad(i::text, 3, '0'));
    END LOOP;
  END $$;
  ALTER TABLE ${SCHEMA}.t_010 ADD COLUMN zorblax_code text;
  COMMENT ON TABLE ${SCHEMA}.t_011 IS 'Derived from the zorblax feeds.';
  CREATE TABLE ${SCHEMA}.zorblax_facts (
    id integer PRIMARY KEY,
    label text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('alpha', 'beta')),
    amount numeric(10,2) NOT NULL,
    account_id integer REFERENCES ${SCHEMA}.t_001 (id));
  COMMENT ON TABLE ${SCHEMA}.zorblax_facts IS 'Facts measured by the zorblax probes.';
  COMMENT ON COLUMN ${SCHEMA}.zorblax_facts.amount IS 'Measured amount in grams.';
  INSERT INTO ${SCHEMA}.t_001 (id) SELECT g FROM generate_series(1, 3) g;
  INSERT INTO ${SCHEMA}.zorblax_facts
    SELECT g, 'fact ' || g, CASE WHEN g % 3 = 0 THEN 'beta' ELSE 'alpha' END, g * 1.5, 1 + g % 3
    FROM generate_series(1, 40) g;
  CREATE TABLE ${SCHEMA}.hidden_ledger (id integer PRIMARY KEY);
  CREATE TABLE ${SCHEMA}.zz_spare (id integer PRIMARY KEY);
  ANALYZE ${SCHEMA}.zorblax_facts;
  GRANT USAGE ON SCHEMA ${SCHEMA} TO mcp_reader;
  GRANT SELECT ON ALL TABLES IN SCHEMA ${SCHEMA} TO mcp_reader;
  REVOKE SELECT ON ${SCHEMA}.hidden_ledger FROM mcp_reader;`;

const call = (client, name, args) => client.callTool({ name, arguments: args });
const modelVisibleTokens = (tool) =>
  encode(JSON.stringify({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema })).length;

// Every page of find_tables (limit 100), concatenated.
async function allFound(client, args = {}) {
  const rows = [];
  for (let offset = 0; ; offset += 100) {
    const r = await call(client, "find_tables", { ...args, limit: 100, offset });
    assert.notEqual(r.isError, true, JSON.stringify(r.content));
    rows.push(...r.structuredContent.rows);
    if (!r.structuredContent.truncated) return rows;
  }
}

describe("discovery mode on a 300-table schema", () => {
  let auto, pinned;
  before(async () => {
    psql(SETUP);
    auto = await connect(["--schemas", SCHEMA]);
    const config = writeTemp("pgmcp.toml", `[schema]\npinned_tables = ["zorblax_facts", "public.customers"]\n`);
    pinned = await connect(["--schemas", `${SCHEMA},public`, "--config", config]);
  });
  after(async () => {
    await auto?.client.close();
    await pinned?.client.close();
    psql(`SET client_min_messages = warning; DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  });

  it("auto lists exactly the three tools, within 1,000 tokens together", async () => {
    const { tools } = await auto.client.listTools();
    assert.deepEqual(tools.map((t) => t.name), ["describe_table", "find_tables", "query_table"]);
    const total = tools.reduce((sum, t) => sum + modelVisibleTokens(t), 0);
    console.log(`discovery tools: ${tools.map((t) => `${t.name} ${modelVisibleTokens(t)}`).join(", ")}; total ${total} tokens`);
    assert.ok(total <= 1000, `${total} tokens`);
    for (const t of tools) {
      const text = JSON.stringify(t.inputSchema);
      assert.ok(!text.includes('"$schema"') && !text.includes('"default"'), t.name);
    }
  });

  it("a table's own tool is not callable unless pinned", async () => {
    await assert.rejects(call(auto.client, "query_zorblax_facts", {}), /Unknown tool/);
  });

  it("find_tables without words lists every visible table in name order, like psql", async () => {
    const rows = await allFound(auto.client);
    const expected = psql(`SELECT json_agg(json_build_array(c.relname, CASE WHEN c.reltuples < 0 THEN NULL
                                                                      ELSE round(c.reltuples)::bigint END)
                                    ORDER BY c.relname COLLATE "C")
                           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                           WHERE n.nspname = '${SCHEMA}' AND c.relkind = 'r'
                             AND has_table_privilege('mcp_reader', c.oid, 'SELECT')`, { json: true });
    assert.equal(expected.length, WIDE_TABLES - 1, "the hidden table is not among them");
    assert.deepEqual(rows.map((r) => [r[0], r[2]]), expected);
    const facts = rows.find((r) => r[0] === "zorblax_facts");
    assert.equal(facts[1], "facts measured by the zorblax probes");
    assert.equal(facts[2], 40);
  });

  it("find_tables ranks name matches, then column names, then comments, and pages", async () => {
    const r = await call(auto.client, "find_tables", { query: "Zorblax" });
    assert.deepEqual(r.structuredContent.columns, ["table", "description", "rows_estimate"]);
    assert.deepEqual(r.structuredContent.rows.map((row) => row[0]), ["zorblax_facts", "t_010", "t_011"]);
    assert.equal(r.structuredContent.row_count, 3);
    assert.equal(r.structuredContent.truncated, false);
    assert.match(r.content[0].text, /<untrusted-data-[0-9a-f]+>/, "rows are fenced like query results");

    const page = await call(auto.client, "find_tables", { query: "zorblax", limit: 1, offset: 1 });
    assert.deepEqual(page.structuredContent.rows.map((row) => row[0]), ["t_010"]);
    assert.equal(page.structuredContent.truncated, true);
    const first = await call(auto.client, "find_tables", { query: null, limit: null, offset: null });
    assert.equal(first.structuredContent.row_count, 20, "null means absent: the default limit");
    assert.equal(first.structuredContent.truncated, true);
  });

  it("find_tables refuses bad arguments with one sentence", async () => {
    for (const [args, sentence] of [
      [{ limit: 0 }, 'Argument "limit" must be a whole number from 1 to 100.'],
      [{ limit: 101 }, 'Argument "limit" must be a whole number from 1 to 100.'],
      [{ offset: -1 }, 'Argument "offset" must be a whole number, 0 or more.'],
      [{ query: 5 }, 'Argument "query" must be a string of words to look for.'],
      [{ table: "x" }, 'Unknown argument "table"; find_tables takes query, limit and offset.'],
    ]) {
      const r = await call(auto.client, "find_tables", args);
      assert.equal(r.isError, true, JSON.stringify(args));
      assert.equal(r.content[0].text, sentence);
    }
  });

  it("describe_table gives the description and the columns as psql sees them", async () => {
    const r = await call(auto.client, "describe_table", { table: "zorblax_facts" });
    assert.notEqual(r.isError, true, r.content[0].text);
    const s = r.structuredContent;
    assert.equal(s.table, "zorblax_facts");
    assert.equal(r.content[0].text, s.description);
    assert.match(s.description, /^Query the zorblax_facts table: facts measured by the zorblax probes/);
    const columns = psql(`SELECT json_agg(json_build_array(attname, format_type(atttypid, atttypmod)) ORDER BY attnum)
                          FROM pg_attribute WHERE attrelid = '${SCHEMA}.zorblax_facts'::regclass
                            AND attnum > 0 AND NOT attisdropped`, { json: true });
    assert.deepEqual(s.columns.map((c) => [c.name, c.type]), columns);
    const byName = Object.fromEntries(s.columns.map((c) => [c.name, c]));
    assert.equal(byName.id.primary_key, true);
    assert.equal(byName.amount.description, "Measured amount in grams.");
    assert.deepEqual(byName.kind.values, ["alpha", "beta"]);
    assert.equal(byName.account_id.references, "t_001.id");
    assert.equal(s.input_schema.type, "object");
    assert.ok(s.input_schema.properties.where, "the table's own argument schema");
  });

  it("query_table answers like psql", async () => {
    const rows = await call(auto.client, "query_table", {
      table: "zorblax_facts", where: { kind: { eq: "beta" }, amount: { gte: 9 } },
      select: ["id", "label", "amount"], order_by: [{ column: "id", direction: "desc" }], limit: 5 });
    assert.notEqual(rows.isError, true, rows.content[0].text);
    const expected = psql(`SELECT json_agg(json_build_array(id, label, amount) ORDER BY id DESC) FROM (
                             SELECT * FROM ${SCHEMA}.zorblax_facts WHERE kind = 'beta' AND amount >= 9
                             ORDER BY id DESC LIMIT 5) t`, { json: true });
    assert.deepEqual(rows.structuredContent.rows.map(([id, label, amount]) => [id, label, Number(amount)]), expected);
    assert.equal(rows.structuredContent.truncated, true);

    const totals = await call(auto.client, "query_table", {
      table: "zorblax_facts", group_by: ["kind"], aggregates: [{ fn: "count" }, { fn: "sum", column: "amount" }],
      order_by: [{ column: "kind" }] });
    const expectedTotals = psql(`SELECT json_agg(json_build_array(kind, n, s) ORDER BY kind) FROM (
                                  SELECT kind, count(*) n, sum(amount) s FROM ${SCHEMA}.zorblax_facts GROUP BY kind) t`,
                                { json: true });
    assert.deepEqual(totals.structuredContent.columns, ["kind", "count", "sum_amount"]);
    assert.deepEqual(totals.structuredContent.rows.map(([k, n, s]) => [k, n, Number(s)]), expectedTotals);
  });

  it("query_table validates like the table's own tool", async () => {
    const r = await call(auto.client, "query_table", { table: "zorblax_facts", where: { nope: 1 } });
    assert.equal(r.isError, true);
    assert.match(r.content[0].text, /^Unknown column "nope"/);
  });

  it("an unknown table and a table the caller cannot see get the same sentence", async () => {
    for (const table of ["no_such_table", "hidden_ledger", `${SCHEMA}.hidden_ledger`, "pg_catalog.pg_authid",
                         "public.customers", "zorblax_facts; DROP TABLE t_001"]) {
      for (const [tool, args] of [["describe_table", { table }], ["query_table", { table, limit: 1 }]]) {
        const r = await call(auto.client, tool, args);
        assert.equal(r.isError, true, `${tool} ${table}`);
        assert.equal(r.content[0].text, UNKNOWN, `${tool} ${table}`);
      }
    }
    const missing = await call(auto.client, "query_table", { where: {} });
    assert.equal(missing.content[0].text, 'Argument "table" is required: a table name as find_tables lists it.');
  });

  it("a pinned table keeps its own tool, which answers as query_table does", async () => {
    const { tools } = await pinned.client.listTools();
    assert.deepEqual(tools.map((t) => t.name),
                     ["describe_table", "find_tables", "query_public_customers", "query_table", "query_zorblax_facts"]);
    const args = { where: { account_id: 2 }, order_by: [{ column: "id" }] };
    const own = await call(pinned.client, "query_zorblax_facts", args);
    const viaTable = await call(pinned.client, "query_table", { table: "zorblax_facts", ...args });
    assert.notEqual(own.isError, true, own.content[0].text);
    assert.deepEqual(viaTable.structuredContent, own.structuredContent);

    const customers = await call(pinned.client, "query_table", {
      table: "public.customers", where: { plan: "enterprise" }, select: ["id", "email"], order_by: [{ column: "id" }] });
    const expected = psql(`SELECT json_agg(json_build_array(id, email) ORDER BY id) FROM customers
                           WHERE plan = 'enterprise'`, { json: true });
    assert.deepEqual(customers.structuredContent.rows, expected.slice(0, 100));
    const found = await call(pinned.client, "find_tables", { query: "customers" });
    assert.ok(found.structuredContent.rows.some((r) => r[0] === "public.customers"),
              "outside the first schema a table is named schema.table");
  });
});
