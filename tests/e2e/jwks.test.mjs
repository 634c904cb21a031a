// Keys from the identity provider: a local IdP on 127.0.0.1 (plain http is accepted on loopback)
// publishes its OpenID discovery document and a JWKS whose keys ROTATE during the test. pgmcp
// finds the keys from auth.issuer alone, accepts a token signed with the new key without a
// restart, and a flood of forged key ids makes at most the rate-limited number of fetches.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createServer as createTlsServer } from "node:https";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPairSync, sign, randomUUID } from "node:crypto";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { startHttp, now, freePort, waitFor } from "./harness.mjs";

const b64url = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");

function rsaKey(kid) {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" } };
}

function signRs256(key, claims, kid = key.kid) {
  const head = b64url({ alg: "RS256", typ: "JWT", kid });
  const body = b64url(claims);
  const signature = sign("sha256", Buffer.from(`${head}.${body}`), key.privateKey).toString("base64url");
  return `${head}.${body}.${signature}`;
}

// The identity provider: discovery at /.well-known/openid-configuration, keys at /jwks, each
// request counted. `published` is what /jwks serves now; tests replace it to rotate.
async function startIdp(tls = null) {
  const idp = { published: [], discovery: 0, jwks: 0, cacheControl: "public, max-age=3600" };
  const serve = (req, res) => {
    if (req.url === "/.well-known/openid-configuration") {
      idp.discovery++;
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ issuer: idp.issuer, jwks_uri: `${idp.issuer}/jwks` }));
    } else if (req.url === "/jwks") {
      idp.jwks++;
      res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": idp.cacheControl });
      res.end(JSON.stringify({ keys: idp.published.map((k) => k.jwk) }));
    } else {
      res.writeHead(404).end();
    }
  };
  const server = tls ? createTlsServer(tls, serve) : createServer(serve);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  idp.issuer = tls ? `https://localhost:${server.address().port}` : `http://127.0.0.1:${server.address().port}`;
  idp.close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); });
  return idp;
}

let idp;
let server;
const oldKey = rsaKey("key-2026-11");
const newKey = rsaKey("key-2026-12");

const claims = (extra = {}) =>
  ({ iss: idp.issuer, role: "e2e_tenant_user", tenant: "acme", sub: randomUUID(), exp: now() + 300, ...extra });

const initialize = (token) => initializeAt(server.url, token);

function initializeAt(url, token) {
  return fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream",
               Authorization: `Bearer ${token}` },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } }),
  });
}

before(async () => {
  idp = await startIdp();
  idp.published = [oldKey];
  // Neither jwks_file nor jwks_url nor a secret: the keys are found by OpenID discovery.
  server = await startHttp(`
[auth]
mode = "jwt"
issuer = "${idp.issuer}"
allowed_roles = ["e2e_tenant_user"]
jwks_refetch_seconds = 1
`);
});
after(async () => {
  assert.equal(await server?.stop(), 0, "SIGTERM drains and exits 0 with the key refresher running");
  await idp?.close();
});

test("keys found by discovery from auth.issuer verify a token, and rotate without a restart", async () => {
  // Sent twice: the second time it is served from the cache of verified tokens.
  const before = signRs256(oldKey, claims({ exp: now() + 86400 }));
  let res = await initialize(before);
  assert.equal(res.status, 200, await res.text());
  res = await initialize(before);
  assert.equal(res.status, 200, await res.text());
  assert.equal(idp.discovery, 1);
  assert.equal(idp.jwks, 1);

  // The identity provider rotates: the new key replaces the old one. The max-age of an hour has not
  // passed, but a token naming the new kid makes pgmcp fetch again (the 1 s rate limit allows it).
  idp.published = [newKey];
  const token = signRs256(newKey, claims());
  res = await initialize(token);
  assert.equal(res.status, 200, await res.text());
  assert.equal(idp.jwks, 2, "one fetch for the rotation");
  assert.equal(idp.discovery, 1, "the jwks_uri is remembered");

  // The official SDK client with the new key lists tools and calls one: row-level security sees the claims.
  const client = new Client({ name: "pgmcp-e2e-jwks", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url),
    { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  const { tools } = await client.listTools();
  assert.ok(tools.some((t) => t.name === "query_tenant_notes"));
  const r = await client.callTool({ name: "query_tenant_notes", arguments: { aggregates: [{ fn: "count" }] } });
  assert.equal(r.isError, false, JSON.stringify(r.content));
  await client.close();

  // The retired key is gone with the rotation: a fresh token signed with it is refused, and so is
  // the one verified and cached before the rotation (a withdrawn key may have leaked; its tokens
  // must not outlive it for as long as their exp says).
  res = await initialize(signRs256(oldKey, claims()));
  assert.equal(res.status, 401);
  assert.match((await res.json()).error.message, /key id \(kid\) does not match/);
  res = await initialize(before);
  assert.equal(res.status, 401, "a cached verdict outlived the key that reached it");
  assert.match((await res.json()).error.message, /key id \(kid\) does not match/);
});

test("a flood of forged key ids makes at most one fetch per refetch interval", async (t) => {
  const before = idp.jwks;
  const started = Date.now();
  const forged = [];
  for (let i = 0; i < 200; i++) forged.push(signRs256(newKey, claims(), `forged-${i}-${randomUUID()}`));
  for (let batch = 0; batch < forged.length; batch += 50) {
    const statuses = await Promise.all(forged.slice(batch, batch + 50).map(async (t) => (await initialize(t)).status));
    assert.deepEqual([...new Set(statuses)], [401]);
  }
  const seconds = (Date.now() - started) / 1000;
  const fetches = idp.jwks - before;
  t.diagnostic(`200 forged kids in ${seconds} s: ${fetches} fetches at the identity provider`);
  // jwks_refetch_seconds = 1: one fetch may be due at once, then one per elapsed second at most.
  assert.ok(fetches <= 1 + Math.ceil(seconds), `${fetches} fetches for 200 forged kids in ${seconds} s`);
  assert.ok(fetches < 10, `${fetches} fetches`);
  // The real key still works afterwards.
  assert.equal((await initialize(signRs256(newKey, claims()))).status, 200);
});

test("an identity provider that withdraws every key stops every token, cached ones too", async () => {
  const token = signRs256(newKey, claims({ exp: now() + 86400 }));
  assert.equal((await initialize(token)).status, 200);
  assert.equal((await initialize(token)).status, 200, "now cached");
  // An emergency: the provider publishes an empty key set. A token naming an unknown kid makes
  // pgmcp fetch it (within the 1 s rate limit); a well-formed set without a usable key is not a
  // failed fetch whose old keys stay, but no keys at all.
  idp.published = [];
  const fetched = idp.jwks;
  const probe = await initialize(signRs256(newKey, claims(), `probe-${randomUUID()}`));
  assert.equal(probe.status, 401);
  assert.ok(idp.jwks > fetched, "the unknown kid fetched the keys again");
  const res = await initialize(token);
  assert.equal(res.status, 401, "the cached token outlived the provider's keys");
  assert.match((await res.json()).error.message, /signing algorithm is not accepted/);
  idp.published = [newKey];
});

test("with a long refetch interval, forged key ids cause no fetch at all", async () => {
  const quiet = await startIdp();
  quiet.published = [newKey];
  const other = await startHttp(`
[auth]
mode = "jwt"
jwks_url = "${quiet.issuer}/jwks"
allowed_roles = ["e2e_tenant_user"]
`);
  try {
    const post = (token) => initializeAt(other.url, token);
    // The first request waits for the first fetch.
    assert.equal((await post(signRs256(newKey, claims()))).status, 200);
    assert.equal(quiet.jwks, 1);
    const statuses = await Promise.all(Array.from({ length: 100 },
      (_, i) => post(signRs256(newKey, claims(), `forged-${i}`)).then((r) => r.status)));
    assert.deepEqual([...new Set(statuses)], [401]);
    assert.equal(quiet.jwks, 1, "the default 30 s interval allows no second fetch yet");
    assert.equal(quiet.discovery, 0, "jwks_url needs no discovery");
  } finally {
    assert.equal(await other.stop(), 0);
    await quiet.close();
  }
});

test("until the keys can be fetched, tokens get 503 saying so", async () => {
  const port = await freePort();  // nothing listens there
  const down = await startHttp(`
[auth]
mode = "jwt"
jwks_url = "http://127.0.0.1:${port}/jwks"
allowed_roles = ["e2e_tenant_user"]
jwks_refetch_seconds = 1
`);
  try {
    const res = await initializeAt(down.url, signRs256(newKey, claims()));
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("retry-after"), "5");
    assert.match((await res.json()).error.message, /signing keys have not been fetched yet/);
    // stderr is read asynchronously: the log line may arrive just after the response.
    await waitFor("the jwks_fetch_failed log line", () => down.logs.some((l) => l.includes("jwks_fetch_failed")));
  } finally {
    assert.equal(await down.stop(), 0);
  }
});

test("plain http:// to a host that is not loopback is refused at start-up", async () => {
  await assert.rejects(startHttp(`
[auth]
mode = "jwt"
jwks_url = "http://idp.example.com/jwks"
allowed_roles = ["e2e_tenant_user"]
`), /auth\.jwks_url.*loopback/s);
});

test("over https the certificate is checked: trusted through auth.jwks_ca_file, refused without it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pgmcp-idp-"));
  const key = join(dir, "key.pem"), cert = join(dir, "cert.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                           "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                           "-addext", "subjectAltName=DNS:localhost"], { stdio: "ignore" });
  const secure = await startIdp({ key: readFileSync(key), cert: readFileSync(cert) });
  secure.published = [newKey];
  const config = (extra) => `
[auth]
mode = "jwt"
jwks_url = "${secure.issuer}/jwks"
allowed_roles = ["e2e_tenant_user"]
jwks_refetch_seconds = 1
${extra}
`;
  const ping = (url) => initializeAt(url, signRs256(newKey, claims()));
  const trusted = await startHttp(config(`jwks_ca_file = "${cert}"`));
  const untrusted = await startHttp(config(""));
  try {
    assert.equal((await ping(trusted.url)).status, 200);
    const refused = await ping(untrusted.url);
    assert.equal(refused.status, 503, "a self-signed certificate is not trusted by the system store");
    await waitFor("a TLS failure in the log", () =>
      untrusted.logs.some((l) => l.includes("jwks_fetch_failed") && l.includes("TLS handshake failed")));
  } finally {
    assert.equal(await trusted.stop(), 0);
    assert.equal(await untrusted.stop(), 0);
    await secure.close();
  }
});
