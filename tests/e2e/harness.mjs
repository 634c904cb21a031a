// Shared helpers for the end-to-end tests: start pgmcp over stdio with the official SDK client,
// and ask PostgreSQL the same question directly (as psql would) to compare answers.
import { execFileSync } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

export const db = process.env.PGMCP_E2E_DB;
export const bin = process.env.PGMCP_BIN;
if (!db || !bin) throw new Error("run through tests/e2e/run (PGMCP_E2E_DB, PGMCP_BIN)");

export function readerDsn() {
  return `host=${process.env.PGHOST} port=${process.env.PGPORT} dbname=${db} user=mcp_reader`;
}

// Runs SQL as the superuser and returns the single value of the single row (JSON parsed when asked).
export function psql(sql, { json = false } = {}) {
  const out = execFileSync("psql", ["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql], {
    encoding: "utf8",
    env: process.env,
  }).trim();
  return json ? JSON.parse(out) : out;
}

export async function connect(extraArgs = [], env = {}) {
  const transport = new StdioClientTransport({
    command: bin,
    args: ["--transport", "stdio", "--dsn", readerDsn(), ...extraArgs],
    env: { ...process.env, ...env },
    stderr: "pipe",
  });
  const stderr = [];
  transport.stderr?.on("data", (chunk) => stderr.push(chunk.toString()));
  const client = new Client({ name: "pgmcp-e2e", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport, stderr };
}
