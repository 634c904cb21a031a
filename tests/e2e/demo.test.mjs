// scripts/demo, the README's first command, in both of its modes: the showcase a person runs, and
// `--stdio`, the command Claude Desktop spawns (driven here by the official SDK client).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { bin } from "./harness.mjs";

const demo = fileURLToPath(new URL("../../scripts/demo", import.meta.url));
const env = { ...process.env, PGMCP_BIN: bin };  // PGMCP_BIN: use the binary under test, skip the build

async function connectStdio() {
  const transport = new StdioClientTransport({ command: demo, args: ["--stdio"], env, stderr: "pipe" });
  const client = new Client({ name: "pgmcp-e2e-demo", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

// The showcase's stderr, cut into its sections ("==> ..." headings), each with its indented lines
// (pgmcp's own log lines, JSON objects at the start of a line, are not part of the showcase).
function sections(text) {
  const out = new Map();
  let current = null;
  for (const line of text.split("\n")) {
    if (line.startsWith("==> ")) {
      current = line.slice(4);
      out.set(current, []);
    } else if (current !== null && line.startsWith("  ") && line.trim() !== "") {
      out.get(current).push(line);
    }
  }
  return out;
}

test("scripts/demo shows the tools and an example call, then exits when nobody is at the terminal", async () => {
  const run = spawnSync(demo, [], { env, encoding: "utf8", input: "", timeout: 120000 });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, "", "the showcase writes to stderr only");
  const shown = sections(run.stderr);

  // What the showcase shows is what an MCP client gets from the same demo database (--stdio).
  const client = await connectStdio();
  try {
    // The generated tools: one line per listed tool, with the first line of its description.
    const toolLines = shown.get("the tools pgmcp generated (pgmcp tools):");
    assert.ok(toolLines, run.stderr);
    const { tools } = await client.listTools();
    assert.ok(tools.length > 0);
    assert.deepEqual(toolLines.map((l) => l.trim().split(/\s+/)[0]).sort(), tools.map((t) => t.name).sort());
    for (const line of toolLines) assert.ok(line.trim().split(/\s+/).length > 1, `no description: ${line}`);

    // The example call: the table shows exactly the rows of that call.
    const heading = [...shown.keys()].find((k) => k.startsWith("one example call: pgmcp call query_customers '"));
    assert.ok(heading, run.stderr);
    const args = JSON.parse(heading.slice(heading.indexOf("'") + 1, heading.lastIndexOf("'")));
    const r = await client.callTool({ name: "query_customers", arguments: args });
    assert.equal(r.isError, false);
    const { columns, rows, row_count: count, truncated } = r.structuredContent;
    assert.ok(rows.length > 0, "the example matches no customer: the showcase would show an empty table");
    const lines = shown.get(heading).map((l) => l.trim());
    assert.deepEqual(lines, [columns.join(" | "), ...rows.map((row) => row.join(" | ")),
      `(${count} rows${truncated ? ", more match" : ""}; the full result is JSON, as an MCP client gets it)`]);
  } finally {
    await client.close();
  }
  assert.ok([...shown.keys()].some((k) => k.startsWith("pgmcp is ready.")), run.stderr);
});

test("scripts/demo --stdio is an MCP server over stdio on the demo database", async () => {
  const client = await connectStdio();
  try {
    const { tools } = await client.listTools();
    assert.ok(tools.some((t) => t.name === "query_customers"));
    const r = await client.callTool({ name: "query_customers",
      arguments: { where: { plan: "enterprise" }, aggregates: [{ fn: "count" }] } });
    assert.equal(r.isError, false);
    assert.ok(r.structuredContent.rows[0][0] > 0);
  } finally {
    await client.close();
  }
});
