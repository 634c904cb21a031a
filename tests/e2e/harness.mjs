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
// its "serving" log line names the port. Returns { url, port, proc, logs, stop() }.
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

export async function startHttp(configToml, extraArgs = []) {
  const config = writeTemp("pgmcp.toml", configToml);
  const proc = spawn(bin, ["serve", "--transport", "http", "--listen", "127.0.0.1:0", "--dsn", readerDsn(),
                           "--config", config, ...extraArgs], { stdio: ["ignore", "ignore", "pipe"] });
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
