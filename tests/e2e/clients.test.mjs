// Client compatibility: the MCP clients people use, as they use them, against the real binary.
// - the MCP Inspector CLI (@modelcontextprotocol/inspector 2.12) over stdio and over HTTP with a JWT;
// - mcp-remote 0.15 (the stdio <-> HTTP bridge desktop clients use for remote servers) with
//   `--header Authorization:...`, driven by the official SDK client over its stdio.
// Each lists the tools and makes the README's documented call; the answer must equal psql's.
// (The LangChain and AI SDK adapters are in adapters.test.mjs.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { bin, psql, readerDsn, startHttp, writeTemp, signHs, now } from "./harness.mjs";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const inspectorCli = here("node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js");
const mcpRemote = here("node_modules/mcp-remote/dist/proxy.js");

const secret = "clients-e2e-secret-that-is-32-bytes-or-longer";
const role = "e2e_client_reader";
let server;
const token = () => signHs({ role, sub: "client-e2e", exp: now() + 600 }, secret);

// The README's example: "How many enterprise customers do we have in Germany, and what is their total MRR?"
const readmeCall = {
  name: "query_customers",
  arguments: { where: { plan: "enterprise", country: "DE" }, aggregates: [{ fn: "count" }, { fn: "sum", column: "mrr" }] },
};
const expectedRows = () => psql(`SELECT json_agg(json_build_array(n, s)) FROM
  (SELECT count(*) AS n, sum(mrr) AS s FROM customers WHERE plan = 'enterprise' AND country = 'DE') x`, { json: true });

before(async () => {
  // A NOLOGIN role the tokens name, allowed to read the customers (and nothing else).
  psql(`DO $$ BEGIN CREATE ROLE ${role} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
        GRANT USAGE ON SCHEMA public TO ${role}; GRANT SELECT ON customers TO ${role}; GRANT ${role} TO mcp_reader;
        SELECT 1`);
  server = await startHttp(`
[auth]
mode = "jwt"
jwt_secret_file = "${writeTemp("jwt.secret", secret)}"
allowed_roles = ["${role}"]
`);
});
after(async () => {
  assert.equal(await server?.stop(), 0);
});

function run(file, args, env = {}) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [file, ...args], { timeout: 120000, env: { ...process.env, ...env }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)));
  });
}

// The Inspector CLI prints the method's result as JSON on stdout.
async function inspector(target, method, extra = []) {
  return JSON.parse(await run(inspectorCli, ["--cli", ...target, "--method", method, ...extra]));
}

const inspectorCall = ["--tool-name", readmeCall.name, "--tool-arg",
  `where=${JSON.stringify(readmeCall.arguments.where)}`, `aggregates=${JSON.stringify(readmeCall.arguments.aggregates)}`];

function checkTools(tools, transport) {
  assert.ok(tools.some((t) => t.name === "query_customers"), `${transport}: ${tools.map((t) => t.name)}`);
}

function checkReadmeCall(result, transport) {
  assert.equal(result.isError, false, `${transport}: ${JSON.stringify(result.content)}`);
  assert.deepEqual(result.structuredContent.rows, expectedRows(), transport);
  assert.match(result.content[0].text, /untrusted/i, `${transport}: rows come inside the fence`);
}

test("MCP Inspector CLI over stdio lists the tools and makes the README's call", async () => {
  // The DSN reaches the server through its environment (PGMCP_DSN), set with the Inspector's -e.
  const target = ["-e", `PGMCP_DSN=${readerDsn()}`, bin];
  checkTools((await inspector(target, "tools/list")).tools, "inspector stdio");
  checkReadmeCall(await inspector(target, "tools/call", inspectorCall), "inspector stdio");
});

test("MCP Inspector CLI over HTTP with a JWT lists the tools and makes the README's call", async () => {
  const target = [server.url, "--transport", "http", "--header", `Authorization: Bearer ${token()}`];
  checkTools((await inspector(target, "tools/list")).tools, "inspector http");
  checkReadmeCall(await inspector(target, "tools/call", inspectorCall), "inspector http");
});

test("MCP Inspector CLI over HTTP without a token is refused, and told to get one from the operator", async () => {
  await assert.rejects(inspector([server.url, "--transport", "http"], "tools/list"), /401|Unauthorized|auth/i);
  const res = await fetch(server.url, { method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: {} }) });
  assert.equal(res.status, 401);
  assert.match((await res.json()).error.message, /bearer token issued by the server's operator/);
  const metadata = await (await fetch(`${server.base}/.well-known/oauth-protected-resource`)).json();
  assert.deepEqual(metadata.authorization_servers, []);
});

test("mcp-remote with --header Authorization bridges stdio to HTTP: the SDK client lists and calls", async () => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [mcpRemote, server.url, "--transport", "http-only", "--header", "Authorization:${PGMCP_E2E_AUTH}"],
    env: { ...process.env, PGMCP_E2E_AUTH: `Bearer ${token()}`, MCP_REMOTE_CONFIG_DIR: mkdtempSync(join(tmpdir(), "pgmcp-mcp-remote-")) },
    stderr: "pipe",
  });
  const stderr = [];
  transport.stderr?.on("data", (chunk) => stderr.push(chunk.toString()));
  const client = new Client({ name: "pgmcp-e2e-mcp-remote", version: "1.0.0" });
  try {
    await client.connect(transport);
    checkTools((await client.listTools()).tools, "mcp-remote");
    checkReadmeCall(await client.callTool(readmeCall), "mcp-remote");
  } catch (e) {
    throw new Error(`${e.message}\n${stderr.join("")}`);
  } finally {
    await client.close();
  }
});
