// The context a model pays for pgmcp's tools (docs/reference.md, "Tool schemas"): per table, the
// o200k_base tokens of the tool's name, its description and its inputSchema serialized as JSON (what
// a client hands a model; title, annotations and outputSchema usually are not). The budget is a
// median of at most 400 and a maximum of at most 700 per table, on the demo schema as tools/list
// serves it and on the golden schema (tests/golden/schema/tricky.json, which the catalog golden test
// keeps byte for byte equal to its tools/list). Token counts are deterministic, so this is exact.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { encode } from "gpt-tokenizer/encoding/o200k_base";
import { connect } from "./harness.mjs";

const kMedianBudget = 400;
const kMaxBudget = 700;

const toolTokens = (tool) =>
  encode(tool.name).length + encode(tool.description ?? "").length + encode(JSON.stringify(tool.inputSchema)).length;

function median(sorted) {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function assertWithinBudget(label, tools) {
  assert.ok(tools.length > 0, `${label}: no tools`);
  const counts = tools.map((t) => [toolTokens(t), t.name]).sort((a, b) => a[0] - b[0]);
  const values = counts.map(([n]) => n);
  const summary = `${label}: ${tools.length} tables, median ${median(values)}, max ${values.at(-1)} ` +
                  `(${counts.at(-1)[1]}), total ${values.reduce((a, b) => a + b, 0)} tokens`;
  console.log(summary);
  assert.ok(median(values) <= kMedianBudget, "median over budget: " + summary);
  assert.ok(values.at(-1) <= kMaxBudget, "max over budget: " + summary + "\n" + counts.map(([n, name]) => `${n} ${name}`).join("\n"));
}

test("the demo schema's tools fit the token budget", async () => {
  const { client, transport } = await connect();
  try {
    const { tools } = await client.listTools();
    assertWithinBudget("demo", tools);
  } finally {
    await transport.close();
  }
});

test("the golden schema's tools fit the token budget", () => {
  const { tools } = JSON.parse(readFileSync(new URL("../golden/schema/tricky.json", import.meta.url), "utf8"));
  assertWithinBudget("golden", tools);
});

// The count is what it claims to be: a tool whose description grows by a known text grows by
// exactly that text's tokens, and a budget-breaking tool list fails the check.
test("the count and the check notice growth", () => {
  const tool = { name: "query_t", description: "Query the t table.", inputSchema: { type: "object" } };
  const grown = { ...tool, description: tool.description + " Columns: id (integer, primary key)." };
  assert.equal(toolTokens(grown) - toolTokens(tool), encode(grown.description).length - encode(tool.description).length);
  const huge = { ...tool, description: "word ".repeat(kMaxBudget) };
  assert.throws(() => assertWithinBudget("synthetic", [tool, huge]), /max over budget/);
  assert.throws(() => assertWithinBudget("synthetic", [huge, huge, tool]), /median over budget/);
});
