// scripts/demo, the README's first command, in both of its modes: the showcase a person runs, and
// `--stdio`, the command Claude Desktop spawns (driven here by the official SDK client).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { bin } from "./harness.mjs";

const demo = fileURLToPath(new URL("../../scripts/demo", import.meta.url));
const env = { ...process.env, PGMCP_BIN: bin };  // PGMCP_BIN: use the binary under test, skip the build

test("scripts/demo shows the tools and an example call, then exits when nobody is at the terminal", () => {
  const out = execFileSync(demo, [], { env, encoding: "utf8", input: "", stdio: ["pipe", "pipe", "pipe"], timeout: 120000 });
  assert.equal(out, "", "the showcase writes to stderr only");
});

test("scripts/demo --stdio is an MCP server over stdio on the demo database", async () => {
  const transport = new StdioClientTransport({ command: demo, args: ["--stdio"], env, stderr: "pipe" });
  const client = new Client({ name: "pgmcp-e2e-demo", version: "1.0.0" });
  await client.connect(transport);
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
