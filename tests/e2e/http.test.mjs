// Streamable HTTP, session era, with JWT authentication and row-level security passed through:
// the official SDK client over HTTP, raw requests for every status code the spec makes a MUST,
// and two tenants' tokens that must each see exactly their own rows.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { psql, startHttp, writeTemp, signHs, now } from "./harness.mjs";

const secret = "e2e-secret-that-is-at-least-32-bytes-long!";
const audience = "pgmcp-e2e";
let server;

const token = (claims = {}, options = {}) =>
  signHs({ role: "e2e_tenant_user", tenant: "acme", sub: "user-1", aud: audience, exp: now() + 300, ...claims },
         options.secret ?? secret, options);

before(async () => {
  const secretFile = writeTemp("jwt.secret", secret + "\n");
  server = await startHttp(`
[auth]
mode = "jwt"
jwt_secret_file = "${secretFile}"
audience = "${audience}"
allowed_roles = ["e2e_tenant_user"]
authorization_servers = ["https://auth.example"]
[http]
allowed_origins = ["https://app.example"]
max_body_bytes = 65536
`);
});
after(async () => {
  const code = await server?.stop();
  assert.equal(code, 0, "SIGTERM drains and exits 0");
});

async function sdkClient(bearer) {
  const transport = new StreamableHTTPClientTransport(new URL(server.url), {
    requestInit: { headers: { Authorization: `Bearer ${bearer}` } },
  });
  const client = new Client({ name: "pgmcp-e2e-http", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport };
}

function post(body, headers = {}) {
  return fetch(server.url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream",
               Authorization: `Bearer ${token()}`, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function initialize(headers = {}) {
  const res = await post({ jsonrpc: "2.0", id: 1, method: "initialize",
    params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } }, headers);
  assert.equal(res.status, 200);
  const session = res.headers.get("mcp-session-id");
  assert.match(session, /^[0-9a-f]{32}$/);
  return session;
}

// What psql returns for the same question under the same role and claims.
function asTenant(tenant, sql) {
  return psql(`BEGIN; SET LOCAL ROLE e2e_tenant_user;
    SELECT set_config('request.jwt.claims', '{"tenant":"${tenant}"}', true);
    ${sql}; COMMIT;`).split("\n").filter((l) => l !== "" && l !== "BEGIN" && l !== "COMMIT" && !l.startsWith("SET")).pop();
}

test("the official SDK client lists tools and calls one over HTTP", async () => {
  const { client } = await sdkClient(token());
  const { tools } = await client.listTools();
  assert.ok(tools.some((t) => t.name === "query_tenant_notes"));
  const r = await client.callTool({ name: "query_tenant_notes", arguments: { limit: 5 } });
  assert.equal(r.isError, false, JSON.stringify(r.content));
  assert.ok(r.structuredContent.rows.length > 0);
  await client.close();
});

test("each tenant sees exactly its rows, through filters and aggregates", async () => {
  for (const tenant of ["acme", "globex"]) {
    const { client } = await sdkClient(token({ tenant, sub: `user-${tenant}` }));
    const all = await client.callTool({ name: "query_tenant_notes", arguments: { select: ["tenant"], limit: 1000 } });
    assert.equal(all.isError, false);
    const tenants = new Set(all.structuredContent.rows.map((r) => r[0]));
    assert.deepEqual([...tenants], [tenant]);
    assert.equal(String(all.structuredContent.row_count), asTenant(tenant, "SELECT count(*) FROM tenant_notes"));

    // A filter naming another tenant finds nothing: RLS, not the filter, decides.
    const other = tenant === "acme" ? "globex" : "acme";
    const probe = await client.callTool({ name: "query_tenant_notes", arguments: { where: { tenant: other } } });
    assert.equal(probe.structuredContent.row_count, 0);

    const agg = await client.callTool({ name: "query_tenant_notes",
      arguments: { group_by: ["category"], aggregates: [{ fn: "count" }, { fn: "sum", column: "amount" }],
                   order_by: [{ column: "category" }] } });
    assert.equal(agg.isError, false, JSON.stringify(agg.content));
    const expected = JSON.parse(asTenant(tenant, `SELECT json_agg(json_build_array(category, n, s) ORDER BY category)
      FROM (SELECT category, count(*) AS n, sum(amount) AS s FROM tenant_notes GROUP BY category) x`));
    assert.deepEqual(agg.structuredContent.rows, expected);
    await client.close();
  }
});

test("a missing or invalid token is 401 with a Bearer challenge naming the metadata URL", async () => {
  const cases = {
    missing: undefined,
    garbage: "Bearer not-a-jwt",
    forged: `Bearer ${token({}, { secret: "another-secret-of-sufficient-length!!" })}`,
    expired: `Bearer ${token({ exp: now() - 3600 })}`,
    no_exp: `Bearer ${token({ exp: undefined })}`,
    alg_none: `Bearer ${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${Buffer.from(JSON.stringify({ role: "e2e_tenant_user", aud: audience, exp: now() + 300 })).toString("base64url")}.`,
    wrong_audience: `Bearer ${token({ aud: "someone-else" })}`,
    no_role: `Bearer ${token({ role: undefined })}`,
  };
  for (const [name, authorization] of Object.entries(cases)) {
    const headers = { "Content-Type": "application/json", Accept: "application/json, text/event-stream" };
    if (authorization) headers.Authorization = authorization;
    const res = await fetch(server.url, { method: "POST", headers,
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: {} }) });
    assert.equal(res.status, 401, name);
    const challenge = res.headers.get("www-authenticate");
    assert.match(challenge, /^Bearer /, name);
    assert.ok(challenge.includes(`resource_metadata="${server.base}/.well-known/oauth-protected-resource"`), name);
  }
});

test("a valid token whose role is not allowed is 403, and never reaches the database", async () => {
  for (const role of ["e2e_other_role", "mcp_reader", "none", "postgres"]) {
    const res = await post({ jsonrpc: "2.0", id: 1, method: "initialize", params: {} },
                           { Authorization: `Bearer ${token({ role })}` });
    assert.equal(res.status, 403, role);
  }
});

test("the protected-resource metadata document names the resource and authorization servers", async () => {
  const res = await fetch(`${server.base}/.well-known/oauth-protected-resource`);
  assert.equal(res.status, 200);
  const doc = await res.json();
  assert.equal(doc.resource, server.url);
  assert.deepEqual(doc.authorization_servers, ["https://auth.example"]);
});

test("session-era status codes: 202, 404, 400, 403, 405, 413, and DELETE", async () => {
  const session = await initialize();
  const withSession = { "Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-11-25" };
  assert.equal((await post({ jsonrpc: "2.0", method: "notifications/initialized" }, withSession)).status, 202);

  const ping = await post({ jsonrpc: "2.0", id: 2, method: "ping" }, withSession);
  assert.equal(ping.status, 200);
  assert.deepEqual((await ping.json()).result, {});

  assert.equal((await post({ jsonrpc: "2.0", id: 3, method: "ping" }, { "Mcp-Session-Id": "0".repeat(32) })).status, 404);
  assert.equal((await post({ jsonrpc: "2.0", id: 4, method: "ping" })).status, 400, "no session id");
  assert.equal((await post({ jsonrpc: "2.0", id: 5, method: "ping" },
                           { ...withSession, "MCP-Protocol-Version": "1999-01-01" })).status, 400);
  assert.equal((await post("{not json", withSession)).status, 400);
  assert.equal((await post({ jsonrpc: "2.0", id: 6, method: "ping" },
                           { ...withSession, Origin: "https://evil.example" })).status, 403);
  assert.equal((await post({ jsonrpc: "2.0", id: 7, method: "ping" },
                           { ...withSession, Origin: "https://app.example" })).status, 200);
  const big = await post({ jsonrpc: "2.0", id: 8, method: "ping", params: { pad: "x".repeat(70000) } }, withSession);
  assert.equal(big.status, 413);
  const put = await fetch(server.url, { method: "PUT", headers: { Authorization: `Bearer ${token()}` } });
  assert.equal(put.status, 405);

  // Another caller cannot use this session: it does not exist for them.
  const stranger = await post({ jsonrpc: "2.0", id: 9, method: "ping" },
                              { ...withSession, Authorization: `Bearer ${token({ sub: "someone-else" })}` });
  assert.equal(stranger.status, 404);

  const del = await fetch(server.url, { method: "DELETE", headers: { Authorization: `Bearer ${token()}`, ...withSession } });
  assert.equal(del.status, 204);
  assert.equal((await post({ jsonrpc: "2.0", id: 10, method: "ping" }, withSession)).status, 404);
});

// Tokens without a sub (PostgREST-style: a role and a tenant claim) still belong to their caller:
// the claims a renewed token keeps name it, so another tenant of the same role cannot use, end or
// crowd out its sessions.
test("callers whose tokens carry no sub are told apart by their other claims", async () => {
  const acme = `Bearer ${token({ sub: undefined, tenant: "acme" })}`;
  const acmeRenewed = `Bearer ${token({ sub: undefined, tenant: "acme", iat: now(), jti: "renewed" })}`;
  const globex = `Bearer ${token({ sub: undefined, tenant: "globex" })}`;
  const session = await initialize({ Authorization: acme });
  const ping = (authorization) =>
    post({ jsonrpc: "2.0", id: 2, method: "ping" }, { Authorization: authorization, "Mcp-Session-Id": session });
  assert.equal((await ping(acmeRenewed)).status, 200, "a renewed token is the same caller");
  assert.equal((await ping(globex)).status, 404, "another tenant of the role is not");
  const del = await fetch(server.url, { method: "DELETE", headers: { Authorization: globex, "Mcp-Session-Id": session } });
  assert.equal(del.status, 404);
  assert.equal((await ping(acme)).status, 200, "the session outlived the stranger's DELETE");
});

test("GET /mcp opens an SSE stream for the session, unbuffered by proxies", async () => {
  const session = await initialize();
  const controller = new AbortController();
  const res = await fetch(server.url, { method: "GET", signal: controller.signal,
    headers: { Accept: "text/event-stream", Authorization: `Bearer ${token()}`, "Mcp-Session-Id": session } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/event-stream");
  assert.equal(res.headers.get("x-accel-buffering"), "no");
  controller.abort();
  const noSession = await fetch(server.url, { method: "GET",
    headers: { Accept: "text/event-stream", Authorization: `Bearer ${token()}` } });
  assert.equal(noSession.status, 400);
});

test("a token sent again is served from the cache of verified tokens, as /metrics counts", async () => {
  const counters = async () => {
    const text = await (await fetch(`${server.base}/metrics`)).text();
    const value = (name) => Number(text.match(new RegExp(`^pgmcp_auth_token_cache_${name}_total (\\S+)$`, "m"))[1]);
    return { hits: value("hits"), misses: value("misses"), evictions: value("evictions") };
  };
  const before = await counters();
  const bearer = token({ sub: `cache-probe-${Date.now()}` });  // bytes no earlier request sent
  await initialize({ Authorization: `Bearer ${bearer}` });
  await initialize({ Authorization: `Bearer ${bearer}` });
  const after = await counters();
  assert.equal(after.misses - before.misses, 1, "checked in full once");
  assert.equal(after.hits - before.hits, 1, "then found in the cache");
  assert.equal(after.evictions, 0);
});

test("health endpoints answer without a token", async () => {
  assert.equal((await fetch(`${server.base}/healthz`)).status, 200);
  assert.equal((await fetch(`${server.base}/readyz`)).status, 200);
  assert.equal((await fetch(`${server.base}/nope`)).status, 404);
});
