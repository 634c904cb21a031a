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

// Starts `pgmcp serve --transport http` on a free port (--listen 127.0.0.1:0) and resolves once
// its "serving" log line names the port. Returns { url, port, proc, logs, stop() }. `dsn` defaults to
// readerDsn(): another database than the e2e one (faults.test.mjs: its own cluster, or a proxy).
// `onSpawn(proc)` runs as soon as the process exists, before it serves (signals during start-up).
import { spawn } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHmac } from "node:crypto";

export function writeTemp(name, text) {
  const dir = mkdtempSync(join(tmpdir(), "pgmcp-e2e-"));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

export async function startHttp(configToml, extraArgs = [], { dsn = readerDsn(), onSpawn } = {}) {
  const config = writeTemp("pgmcp.toml", configToml);
  const proc = spawn(bin, ["serve", "--transport", "http", "--listen", "127.0.0.1:0", "--dsn", dsn,
                           "--config", config, ...extraArgs], { stdio: ["ignore", "ignore", "pipe"] });
  onSpawn?.(proc);
  const logs = [];
  const port = await new Promise((resolve, reject) => {
    let buffered = "";
    const timer = setTimeout(() => reject(new Error("pgmcp did not start: " + logs.join("\n"))), 30000);
    proc.stderr.on("data", (chunk) => {
      buffered += chunk.toString();
      let nl;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        logs.push(line);
        try {
          const entry = JSON.parse(line);
          if (entry.event === "serving") { clearTimeout(timer); resolve(entry.port); }
        } catch { /* not JSON: keep it for the error message */ }
      }
    });
    proc.on("exit", (code) => { clearTimeout(timer); reject(new Error(`pgmcp exited ${code}: ${logs.join("\n")}`)); });
  });
  const stop = () => new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve(proc.exitCode);
    proc.once("exit", (code) => resolve(code));
    proc.kill("SIGTERM");
  });
  return { url: `http://127.0.0.1:${port}/mcp`, base: `http://127.0.0.1:${port}`, port, proc, logs, stop };
}

const b64url = (value) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

// An HS256 token (or another HMAC alg) signed with `secret`; header fields may be overridden.
export function signHs(payload, secret, { alg = "HS256", header = {} } = {}) {
  const head = b64url({ alg, typ: "JWT", ...header });
  const body = b64url(payload);
  const hash = { HS256: "sha256", HS384: "sha384", HS512: "sha512" }[alg] ?? "sha256";
  const sig = createHmac(hash, secret).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${sig}`;
}

export const now = () => Math.floor(Date.now() / 1000);

// --- HTTPS through a proxy (tests/e2e/nginx.test.mjs) ---------------------------------------------
import { request as httpsRequest, Agent as HttpsAgent } from "node:https";
import { createServer } from "node:net";
import { Readable } from "node:stream";

// A free TCP port on 127.0.0.1, as the kernel hands it out. Another process may take it before the
// caller binds it: callers that start a server on it retry on "address in use".
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// A fetch (the subset the MCP SDK's transports and these tests use) over node:https that trusts
// `ca` (PEM), for a self-signed test certificate: global fetch only reads NODE_EXTRA_CA_CERTS at
// start-up. Streams the response body (SSE), honours init.signal. `.agent` is the keep-alive agent,
// for destroy() at the end.
export function httpsFetch(ca) {
  const agent = new HttpsAgent({ ca, keepAlive: true });
  const fetchLike = (input, init = {}) => new Promise((resolve, reject) => {
    const url = new URL(typeof input === "object" && "url" in input ? input.url : String(input));
    const headers = {};
    new Headers(init.headers).forEach((value, name) => { headers[name] = value; });
    const method = init.method ?? "GET";
    const req = httpsRequest(url, { method, headers, agent, signal: init.signal }, (res) => {
      const h = new Headers();
      for (let i = 0; i < res.rawHeaders.length; i += 2) h.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
      const noBody = method === "HEAD" || [204, 205, 304].includes(res.statusCode);
      if (noBody) res.resume();
      resolve(new Response(noBody ? null : Readable.toWeb(res),
                           { status: res.statusCode, statusText: res.statusMessage, headers: h }));
    });
    req.on("error", reject);
    const body = init.body == null ? null : typeof init.body === "string" ? Buffer.from(init.body) : Buffer.from(init.body);
    if (body && !Object.keys(headers).includes("content-length")) req.setHeader("content-length", body.length);
    req.end(body ?? undefined);
  });
  fetchLike.agent = agent;
  return fetchLike;
}

// Polls `check` (async, truthy when done) every 50 ms until it holds or `ms` pass; throws with `what`.
export async function waitFor(what, check, ms = 10000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try { if (await check()) return; } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? ": " + last.message : ""}`);
}

// Spawns `pgmcp --transport stdio` and talks raw newline-delimited JSON-RPC to it, for what the SDK
// client will not send (over-deep JSON, oversized lines). write() sends bytes as they are;
// request() sends a message and resolves with the response of the same id; nextMessage() resolves
// with the next message matching `match`. Every stdout line must be JSON (protocol only).
export function spawnRaw(extraArgs = []) {
  const proc = spawn(bin, ["--transport", "stdio", "--dsn", readerDsn(), ...extraArgs], { stdio: ["pipe", "pipe", "pipe"] });
  const stderr = [];
  proc.stderr.on("data", (chunk) => stderr.push(chunk.toString()));
  const messages = [];
  const waiting = [];
  const nonJson = [];
  let buffered = "";
  proc.stdout.on("data", (chunk) => {
    buffered += chunk.toString();
    let nl;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      let msg;
      try { msg = JSON.parse(line); } catch { nonJson.push(line); continue; }
      const i = waiting.findIndex((w) => w.match(msg));
      if (i >= 0) waiting.splice(i, 1)[0].resolve(msg);
      else messages.push(msg);
    }
  });
  const nextMessage = (match, timeoutMs = 10000) => {
    const i = messages.findIndex(match);
    if (i >= 0) return Promise.resolve(messages.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no matching message; stderr: " + stderr.join(""))), timeoutMs);
      waiting.push({ match, resolve: (m) => { clearTimeout(timer); resolve(m); },
                     reject: (e) => { clearTimeout(timer); reject(e); } });
    });
  };
  proc.on("exit", (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`pgmcp exited ${code}; stderr: ${stderr.join("")}`));
  });
  const write = (text) => new Promise((resolve, reject) => proc.stdin.write(text, (err) => (err ? reject(err) : resolve())));
  const request = async (message) => {
    const reply = nextMessage((m) => m.id === message.id && (m.result !== undefined || m.error !== undefined));
    await write(JSON.stringify(message) + "\n");
    return reply;
  };
  const initialize = async () => {
    const init = await request({ jsonrpc: "2.0", id: "init", method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "pgmcp-e2e-raw", version: "1.0.0" } } });
    await write(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) + "\n");
    return init;
  };
  const close = () => new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve(proc.exitCode);
    proc.once("exit", (code) => resolve(code));
    proc.stdin.end();
  });
  return { proc, stderr, nonJson, write, request, nextMessage, initialize, close };
}

// The [auth] section of a JWT (HS256) configuration: the secret written to a file, the audience and
// the roles a token may name; `extra` is appended (more [auth] keys or other sections).
export function jwtConfig({ secret, audience, roles, extra = "" }) {
  const secretFile = writeTemp("jwt.secret", secret + "\n");
  return `
[auth]
mode = "jwt"
jwt_secret_file = "${secretFile}"
audience = "${audience}"
allowed_roles = ${JSON.stringify(roles)}
${extra}`;
}

// --- A fault-injecting proxy in front of PostgreSQL (tests/support/fault_proxy.mjs) ----------------
import { createInterface } from "node:readline";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

// Starts tests/support/fault_proxy.mjs in front of 127.0.0.1:`port`. Returns { proc, listen (its
// port), set(mode) (a path such as "stall" or "delay?ms=1000"), stats(), close() }.
export async function startProxy(port) {
  // Without NODE_TEST_CONTEXT: under `node --test` the child would take itself for a test file
  // and outlive SIGTERM, keeping this file's process (and the whole run) waiting.
  const { NODE_TEST_CONTEXT, ...env } = process.env;
  const script = join(dirname(fileURLToPath(import.meta.url)), "../support/fault_proxy.mjs");
  const proc = spawn(process.execPath, [script, "--target", `127.0.0.1:${port}`],
                     { stdio: ["ignore", "pipe", "inherit"], env });
  const first = await new Promise((resolve, reject) => {
    createInterface({ input: proc.stdout }).once("line", resolve);
    proc.once("exit", (code) => reject(new Error(`fault_proxy exited ${code}`)));
  });
  const { listen, control } = JSON.parse(first);
  const ask = async (method, path) => (await fetch(`http://127.0.0.1:${control}/${path}`, { method })).json();
  // Nothing of the proxy may keep the test file's process alive once its tests are done.
  const close = () => {
    proc.stdout.destroy();
    proc.unref();
    proc.kill("SIGKILL");
  };
  return { proc, listen, set: (mode) => ask("POST", mode), stats: () => ask("GET", "stats"), close };
}
