// The stateless era (2026-07-28): the official v2 client (@modelcontextprotocol/client) negotiates
// it by server/discover and calls tools with no session; raw requests check the era's rules
// (_meta on every request, header/body agreement, -32022 for unknown versions, 404 for session-era
// methods, resultType and cache hints on results).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { psql, startHttp, writeTemp, signHs, now } from "./harness.mjs";

const secret = "stateless-secret-that-is-32-bytes-or-more";
let server;
const token = (claims = {}) =>
  signHs({ role: "e2e_tenant_user", tenant: "globex", sub: "s-1", exp: now() + 300, ...claims }, secret);

before(async () => {
  server = await startHttp(`
[auth]
mode = "jwt"
jwt_secret_file = "${writeTemp("jwt.secret", secret)}"
allowed_roles = ["e2e_tenant_user"]
`);
});
after(async () => {
  assert.equal(await server?.stop(), 0);
});

async function modernClient(mode) {
  const client = new Client({ name: "pgmcp-e2e-stateless", version: "1.0.0" }, { versionNegotiation: { mode } });
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url), {
    requestInit: { headers: { Authorization: `Bearer ${token()}` } },
  }));
  return client;
}

const meta = (version = "2026-07-28") => ({
  "io.modelcontextprotocol/protocolVersion": version,
  "io.modelcontextprotocol/clientCapabilities": {},
});

function post(body, headers = {}) {
  const h = { "Content-Type": "application/json", Accept: "application/json, text/event-stream",
              Authorization: `Bearer ${token()}`, "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": body.method,
              ...headers };
  for (const [k, v] of Object.entries(h)) if (v === undefined) delete h[k];
  return fetch(server.url, { method: "POST", headers: h, body: JSON.stringify(body) });
}

for (const mode of ["auto", { pin: "2026-07-28" }]) {
  test(`the v2 client in ${JSON.stringify(mode)} mode selects the stateless era and calls a tool`, async () => {
    const client = await modernClient(mode);
    assert.equal(client.getProtocolEra(), "modern");
    assert.equal(client.getNegotiatedProtocolVersion(), "2026-07-28");
    const { tools } = await client.listTools();
    assert.ok(tools.some((t) => t.name === "query_tenant_notes"));
    const r = await client.callTool({ name: "query_tenant_notes", arguments: { aggregates: [{ fn: "count" }] } });
    assert.equal(r.isError, false, JSON.stringify(r.content));
    const expected = psql(`BEGIN; SET LOCAL ROLE e2e_tenant_user;
      SELECT set_config('request.jwt.claims', '{"tenant":"globex"}', true);
      SELECT count(*) FROM tenant_notes; COMMIT;`).split("\n").filter((l) => /^\d+$/.test(l)).pop();
    assert.deepEqual(r.structuredContent.rows, [[Number(expected)]]);
    await client.close();
  });
}

test("server/discover carries everything a stateless client needs", async () => {
  const res = await post({ jsonrpc: "2.0", id: "d", method: "server/discover", params: { _meta: meta() } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("mcp-session-id"), null, "no session in this era");
  const { result } = await res.json();
  assert.equal(result.resultType, "complete");
  assert.ok(result.supportedVersions.includes("2026-07-28"));
  assert.ok(Number.isInteger(result.ttlMs) && result.ttlMs >= 0);
  assert.ok(["public", "private"].includes(result.cacheScope));
  assert.equal(result._meta["io.modelcontextprotocol/serverInfo"].name, "pgmcp");
  assert.ok(result.capabilities.tools);
});

test("list results carry resultType and cache hints", async () => {
  const res = await post({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: meta() } });
  const { result } = await res.json();
  assert.equal(result.resultType, "complete");
  assert.equal(result.cacheScope, "private");
  assert.ok(result.tools.length > 0);
});

test("an unknown version is 400 with -32022 listing what is supported", async () => {
  const res = await post({ jsonrpc: "2.0", id: 7, method: "tools/list", params: { _meta: meta("2099-01-01") } },
                         { "MCP-Protocol-Version": "2099-01-01" });
  assert.equal(res.status, 400);
  const body = await res.json();
  assert.equal(body.id, 7);
  assert.equal(body.error.code, -32022);
  assert.equal(body.error.data.requested, "2099-01-01");
  assert.ok(body.error.data.supported.includes("2026-07-28"));
});

test("headers that disagree with the body are 400 with -32020, checked before the version", async () => {
  let res = await post({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: meta() } }, { "Mcp-Method": "tools/call" });
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error.code, -32020);
  res = await post({ jsonrpc: "2.0", id: 2, method: "tools/list", params: { _meta: meta("v999.0.0") } });
  assert.equal((await res.json()).error.code, -32020);
  res = await post({ jsonrpc: "2.0", id: 3, method: "tools/call",
                     params: { name: "query_tenant_notes", arguments: {}, _meta: meta() } }, { "Mcp-Name": "query_orders" });
  assert.equal((await res.json()).error.code, -32020);
  const b64 = Buffer.from("query_tenant_notes").toString("base64");
  res = await post({ jsonrpc: "2.0", id: 4, method: "tools/call",
                     params: { name: "query_tenant_notes", arguments: { limit: 1 }, _meta: meta() } },
                   { "Mcp-Name": `=?base64?${b64}?=` });
  assert.equal(res.status, 200, "the base64 form of Mcp-Name is decoded");
});

test("missing _meta pieces are 400 with -32602", async () => {
  let res = await post({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} });
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error.code, -32602);
  res = await post({ jsonrpc: "2.0", id: 2, method: "tools/list",
                     params: { _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28" } } });
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error.code, -32602);
});

test("session-era methods do not exist in this era: 404 with -32601", async () => {
  for (const method of ["initialize", "ping", "logging/setLevel", "resources/subscribe", "no/such"]) {
    const res = await post({ jsonrpc: "2.0", id: method, method, params: { _meta: meta() } });
    assert.equal(res.status, 404, method);
    const body = await res.json();
    assert.equal(body.error.code, -32601, method);
    assert.equal(body.id, method);
  }
});

test("an unknown resource is -32602 in this era", async () => {
  const res = await post({ jsonrpc: "2.0", id: 1, method: "resources/read", params: { uri: "pgmcp://nope", _meta: meta() } },
                         { "Mcp-Name": "pgmcp://nope" });
  assert.equal((await res.json()).error.code, -32602);
});

test("a stateless request still needs a valid token", async () => {
  const res = await post({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: meta() } },
                         { Authorization: undefined });
  assert.equal(res.status, 401);
});
