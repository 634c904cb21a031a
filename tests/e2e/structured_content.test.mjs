// [query] structured_content = false: results only as the fenced text content, no structuredContent
// and no outputSchema, for clients that would show structuredContent to the model outside the fence.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, psql, writeTemp } from "./harness.mjs";

test("structured_content = false: fenced text only, no structuredContent, no outputSchema", async () => {
  const config = writeTemp("pgmcp.toml", "[query]\nstructured_content = false\n");
  const { client } = await connect(["--config", config]);
  try {
    const { tools } = await client.listTools();
    const customers = tools.find((t) => t.name === "query_customers");
    assert.ok(customers);
    assert.ok(tools.every((t) => t.outputSchema === undefined), "no tool declares an outputSchema");
    const r = await client.callTool({ name: "query_customers",
      arguments: { where: { plan: "enterprise", country: "DE" }, aggregates: [{ fn: "count" }] } });
    assert.equal(r.isError, false, JSON.stringify(r.content));
    assert.equal(r.structuredContent, undefined);
    assert.equal(r.content.length, 1);
    const count = psql("SELECT count(*) FROM customers WHERE plan = 'enterprise' AND country = 'DE'");
    // The rows are inside the untrusted-data fence, and only there.
    const text = r.content[0].text;
    assert.match(text, /untrusted/i);
    assert.ok(text.includes(`[[${count}]]`), text);
  } finally {
    await client.close();
  }

  // The default keeps both, as before.
  const { client: plain } = await connect();
  try {
    const { tools } = await plain.listTools();
    assert.ok(tools.every((t) => t.outputSchema !== undefined));
    const r = await plain.callTool({ name: "query_customers", arguments: { aggregates: [{ fn: "count" }] } });
    assert.ok(r.structuredContent.rows);
  } finally {
    await plain.close();
  }
});
