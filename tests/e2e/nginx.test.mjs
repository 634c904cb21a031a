// deploy/nginx.conf in front of a real pgmcp, over HTTPS: the official SDK client works through the
// proxy, SSE is not buffered, pgmcp announces the public https:// URL (X-Forwarded-Proto and
// X-Forwarded-Host), and what must not be public is not. nginx runs as a child process of this test
// (never as a system service) with a self-signed certificate made here; the config is
// deploy/nginx.conf itself with only addresses, ports, the server name and file paths templated.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, chmodSync, rmSync, existsSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { connect as tlsConnect } from "node:tls";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { startHttp, writeTemp, signHs, now, freePort, httpsFetch, waitFor } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const deployConf = join(here, "../../deploy/nginx.conf");
const secret = "e2e-secret-that-is-at-least-32-bytes-long!";
const audience = "pgmcp-e2e";
const token = (claims = {}) =>
  signHs({ role: "e2e_tenant_user", tenant: "acme", sub: "user-1", aud: audience, exp: now() + 300, ...claims }, secret);

function findNginx() {
  for (const p of ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx"]) if (existsSync(p)) return p;
  try { return execFileSync("sh", ["-c", "command -v nginx"], { encoding: "utf8" }).trim() || null; } catch { return null; }
}
const nginxBin = findNginx();
const skip = nginxBin ? false : "nginx is not installed (scripts/setup installs it)";

let dir, server, nginx, nginxLog = "", fetchTls, origin, httpPort;

// deploy/nginx.conf with the test's addresses. Every substitution must match exactly as often as
// expected, so a change to the deployed file that this test no longer understands fails loudly.
function templateConf(text, { pgmcpPort, tlsPort, plainPort, cert, key }) {
  const sub = (pattern, replacement, count) => {
    const matches = text.match(pattern) ?? [];
    assert.equal(matches.length, count, `deploy/nginx.conf: ${pattern} should match ${count} time(s)`);
    text = text.replace(pattern, replacement);
  };
  // The three replicas become the one pgmcp this test runs (the first line) and nothing (the rest).
  let first = true;
  sub(/^( *)server 10\.0\.0\.\d+:8808 ([^;]*);$/gm, (_, indent, opts) => {
    const line = first ? `${indent}server 127.0.0.1:${pgmcpPort} ${opts};` : `${indent}# (replica removed by the test)`;
    first = false;
    return line;
  }, 3);
  sub(/^( *)listen \[::\]:(80|443)[^;]*;$/gm, "$1# (IPv6 listener removed by the test)", 3);
  sub(/^( *)listen 80;$/gm, `$1listen 127.0.0.1:${plainPort};`, 1);
  sub(/^( *)listen 443 /gm, `$1listen 127.0.0.1:${tlsPort} `, 2);
  sub(/server_name pgmcp\.example\.com;/g, "server_name localhost;", 2);
  sub(/ssl_certificate +\/etc\/ssl\/pgmcp\/fullchain\.pem;/g, `ssl_certificate ${cert};`, 1);
  sub(/ssl_certificate_key +\/etc\/ssl\/pgmcp\/privkey\.pem;/g, `ssl_certificate_key ${key};`, 1);
  return text;
}

// Starts nginx in the foreground on free ports; resolves once it answers over TLS.
async function startNginx(pgmcpPort, ca, cert, key) {
  for (let attempt = 1; ; ++attempt) {
    const tlsPort = await freePort();
    const plainPort = await freePort();
    const site = templateConf(readFileSync(deployConf, "utf8"), { pgmcpPort, tlsPort, plainPort, cert, key });
    writeFileSync(join(dir, "pgmcp.conf"), site);
    const temp = (name) => `${name}_temp_path ${join(dir, name)};`;
    // Only the frame around deploy/nginx.conf is the test's: Debian's compiled-in paths
    // (/var/lib/nginx, /var/log/nginx) are replaced by the temporary directory.
    writeFileSync(join(dir, "nginx.conf"), `
${process.getuid() === 0 ? "user nobody nogroup;   # root starts nginx; the workers drop to nobody" : ""}
worker_processes 1;
events { worker_connections 256; }
http {
  access_log ${join(dir, "access.log")};
  ${temp("client_body")} ${temp("proxy")} ${temp("fastcgi")} ${temp("uwsgi")} ${temp("scgi")}
  include ${join(dir, "pgmcp.conf")};
}
`);
    const proc = spawn(nginxBin, ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", "stderr",
                                  "-g", `daemon off; pid ${join(dir, "nginx.pid")}; error_log stderr warn;`],
                       { stdio: ["ignore", "ignore", "pipe"] });
    nginx = proc;
    proc.stderr.on("data", (chunk) => { nginxLog += chunk.toString(); });
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    let gone = false;
    exited.then(() => { gone = true; });
    const f = httpsFetch(ca);
    try {
      await waitFor("nginx to answer over TLS", async () => {
        if (gone) throw new Error("nginx exited: " + nginxLog);
        const res = await f(`https://localhost:${tlsPort}/healthz`);  // any answer: TLS and proxying work
        await res.text();
        return true;
      }, 15000);
      fetchTls = f;
      httpPort = plainPort;
      return tlsPort;
    } catch (e) {
      f.agent.destroy();
      if (!gone) { proc.kill("SIGKILL"); await exited; }
      if (attempt < 3 && /Address already in use/.test(nginxLog)) { nginxLog = ""; continue; }
      throw e;
    }
  }
}

async function stopNginx() {
  if (!nginx || nginx.exitCode !== null || nginx.signalCode !== null) return;
  const exited = new Promise((resolve) => nginx.once("exit", resolve));
  nginx.kill("SIGTERM");  // fast shutdown; the master waits for its workers
  const timer = setTimeout(() => nginx.kill("SIGKILL"), 10000);
  await exited;
  clearTimeout(timer);
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), "pgmcp-nginx-"));
  chmodSync(dir, 0o755);  // nginx workers (nobody) use the temp paths inside
  const key = join(dir, "key.pem"), cert = join(dir, "cert.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                           "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                           "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], { stdio: "ignore" });
  const secretFile = writeTemp("jwt.secret", secret + "\n");
  server = await startHttp(`
[auth]
mode = "jwt"
jwt_secret_file = "${secretFile}"
audience = "${audience}"
allowed_roles = ["e2e_tenant_user"]
authorization_servers = ["https://auth.example"]
`);
  const port = await startNginx(server.port, readFileSync(cert), cert, key);
  origin = `https://localhost:${port}`;
});

after(async () => {
  fetchTls?.agent.destroy();
  await stopNginx();
  const code = await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (server) assert.equal(code, 0, "pgmcp drains and exits 0");
});

// POST /mcp through the proxy; a header given as null is not sent.
function post(body, headers = {}) {
  const all = { "Content-Type": "application/json", Accept: "application/json, text/event-stream",
                Authorization: `Bearer ${token()}`, ...headers };
  for (const name of Object.keys(all)) if (all[name] === null) delete all[name];
  return fetchTls(`${origin}/mcp`, { method: "POST", headers: all,
                                     body: typeof body === "string" ? body : JSON.stringify(body) });
}

test("the official SDK client lists tools and calls one through nginx over HTTPS", { skip }, async () => {
  const transport = new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), {
    fetch: fetchTls,
    requestInit: { headers: { Authorization: `Bearer ${token()}` } },
  });
  const client = new Client({ name: "pgmcp-e2e-nginx", version: "1.0.0" });
  await client.connect(transport);
  const { tools } = await client.listTools();
  assert.ok(tools.some((t) => t.name === "query_tenant_notes"));
  const r = await client.callTool({ name: "query_tenant_notes", arguments: { limit: 5 } });
  assert.equal(r.isError, false, JSON.stringify(r.content));
  assert.ok(r.structuredContent.rows.length > 0);
  assert.ok(r.structuredContent.rows.length <= 5);
  await client.close();
});

test("the SSE stream through nginx: headers at once, X-Accel-Buffering kept, events not buffered", { skip }, async () => {
  const init = await post({ jsonrpc: "2.0", id: 1, method: "initialize",
    params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } });
  assert.equal(init.status, 200);
  await init.text();
  const session = init.headers.get("mcp-session-id");
  assert.match(session, /^[0-9a-f]{32}$/);

  const controller = new AbortController();
  const started = Date.now();
  const res = await fetchTls(`${origin}/mcp`, { method: "GET", signal: controller.signal,
    headers: { Accept: "text/event-stream", Authorization: `Bearer ${token()}`, "Mcp-Session-Id": session,
               "MCP-Protocol-Version": "2025-11-25" } });
  try {
    assert.equal(res.status, 200);
    assert.ok(Date.now() - started < 5000, "the response head is not held back");
    assert.equal(res.headers.get("content-type"), "text/event-stream");
    assert.equal(res.headers.get("x-accel-buffering"), "no");
    assert.equal(res.headers.get("mcp-session-id"), session);
    // The only thing pgmcp writes on an idle stream is a keep-alive comment every 15 s: a few bytes
    // that a buffering proxy would sit on. It must come through on its own.
    const reader = res.body.getReader();
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("no SSE bytes within 25 s")), 25000).unref());
    const { value, done } = await Promise.race([reader.read(), timeout]);
    assert.equal(done, false);
    assert.match(Buffer.from(value).toString(), /^: keep-alive\n\n/);
  } finally {
    controller.abort();
  }
  const del = await fetchTls(`${origin}/mcp`, { method: "DELETE",
    headers: { Authorization: `Bearer ${token()}`, "Mcp-Session-Id": session } });
  assert.equal(del.status, 204);
});

test("pgmcp announces the public https URL: X-Forwarded-Proto and X-Forwarded-Host are honoured", { skip }, async () => {
  const res = await fetchTls(`${origin}/.well-known/oauth-protected-resource`);
  assert.equal(res.status, 200);
  const doc = await res.json();
  assert.equal(doc.resource, `${origin}/mcp`);
  assert.deepEqual(doc.authorization_servers, ["https://auth.example"]);
});

test("without a token the proxy passes pgmcp's 401 and its challenge names the https metadata URL", { skip }, async () => {
  const res = await post({ jsonrpc: "2.0", id: 1, method: "initialize", params: {} }, { Authorization: null });
  assert.equal(res.status, 401);
  assert.equal(res.headers.get("www-authenticate"),
               `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource"`);
  // A client cannot steer the announced URL: nginx overwrites the forwarding headers it sends.
  const spoofed = await post({ jsonrpc: "2.0", id: 1, method: "initialize", params: {} },
                             { Authorization: null, "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http" });
  assert.equal(spoofed.headers.get("www-authenticate"),
               `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource"`);
});

test("health is public, /metrics and other paths are not, bodies over 1 MiB stop at nginx", { skip }, async () => {
  assert.equal((await fetchTls(`${origin}/healthz`)).status, 200);
  assert.equal((await fetchTls(`${origin}/readyz`)).status, 200);
  const metrics = await fetchTls(`${origin}/metrics`);
  assert.equal(metrics.status, 403);
  assert.doesNotMatch(await metrics.text(), /pgmcp_/);
  assert.equal((await fetchTls(`${origin}/nope`)).status, 404);
  const big = await post({ jsonrpc: "2.0", id: 1, method: "ping", params: { pad: "x".repeat(1048576) } });
  assert.equal(big.status, 413);
  await big.text();
});

test("plain HTTP redirects to https, and TLS for another server name is refused", { skip }, async () => {
  const status = await new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port: httpPort, path: "/mcp", method: "POST",
                              headers: { Host: `localhost:${httpPort}` } }, (res) => {
      res.resume();
      resolve([res.statusCode, res.headers.location]);
    });
    req.on("error", reject);
    req.end("{}");
  });
  assert.deepEqual(status, [308, "https://localhost/mcp"]);
  const port = new URL(origin).port;
  const handshake = await new Promise((resolve) => {
    const socket = tlsConnect({ host: "127.0.0.1", port, servername: "evil.example", rejectUnauthorized: false },
                              () => { socket.destroy(); resolve("accepted"); });
    socket.on("error", (e) => resolve(e.code ?? e.message));
  });
  assert.notEqual(handshake, "accepted");
});

test("why nginx sends Host: localhost: pgmcp on loopback refuses a foreign Host (DNS rebinding)", { skip }, async () => {
  const direct = (host) => new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port: server.port, path: "/healthz", headers: { Host: host } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on("error", reject);
    req.end();
  });
  assert.equal(await direct("pgmcp.example.com"), 403);
  assert.equal(await direct("localhost"), 200);
});
