// Hostile HTTP: malformed request lines, oversized headers and bodies, bodies where none is taken,
// broken or ambiguous framing, and many idle connections get a clear status (or a closed
// connection) and never crash the server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect as tcpConnect } from "node:net";
import { startHttp } from "./harness.mjs";

let server;
before(async () => {
  server = await startHttp(`[auth]\nmode = "none"\n[http]\nmax_body_bytes = 4096\n`);
});
after(async () => {
  assert.equal(await server?.stop(), 0);
});

// Sends raw bytes and resolves with whatever comes back before the server closes (or 5 s pass).
function raw(bytes) {
  return new Promise((resolve) => {
    const socket = tcpConnect(server.port, "127.0.0.1");
    let data = "";
    const done = () => { clearTimeout(timer); socket.destroy(); resolve(data); };
    const timer = setTimeout(done, 5000);
    socket.on("data", (chunk) => { data += chunk.toString("latin1"); });
    socket.on("end", done);
    socket.on("error", done);
    socket.write(bytes);
  });
}

async function healthy() {
  assert.equal((await fetch(`${server.base}/healthz`)).status, 200);
}

test("a malformed request line is 400 and the connection closes", async () => {
  assert.match(await raw("GARBAGE\r\n\r\n"), /^HTTP\/1\.1 400/);
  assert.match(await raw("\x00\x01\x02\xff\r\n\r\n"), /^HTTP\/1\.1 400/);
  await healthy();
});

test("oversized headers are refused", async () => {
  const reply = await raw(`GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: ${"a".repeat(20000)}\r\n\r\n`);
  assert.match(reply, /^HTTP\/1\.1 4\d\d/);
  await healthy();
});

test("a declared body over max_body_bytes is 413 before it is read", async () => {
  const reply = await raw(`POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n` +
                          `Content-Length: 1000000000\r\n\r\n{`);
  assert.match(reply, /^HTTP\/1\.1 413/);
  await healthy();
});

test("a body sent outside /mcp is 413 before it is read", async () => {
  for (const path of ["/healthz", "/metrics", "/mcp/", "/nope"]) {
    const started = Date.now();
    const reply = await raw(`POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 900000\r\n\r\n`);
    assert.match(reply, /^HTTP\/1\.1 413/, path);
    assert.ok(Date.now() - started < 1000, `${path}: the answer waited for the body`);
  }
  await healthy();
});

test("a Transfer-Encoding that does not end in chunked is one 400, then the connection closes", async () => {
  const smuggled = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
  const reply = await raw(`GET /healthz HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\n\r\n${smuggled}`);
  assert.match(reply, /^HTTP\/1\.1 400/);
  assert.equal(reply.match(/HTTP\/1\.1 /g).length, 1, "the smuggled request was answered too");
  await healthy();
});

test("broken chunked encoding is 400", async () => {
  const reply = await raw(`POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n` +
                          `Transfer-Encoding: chunked\r\n\r\nZZZ\r\n{}\r\n0\r\n\r\n`);
  assert.match(reply, /^HTTP\/1\.1 400/);
  await healthy();
});

test("a wrong Content-Type or Accept on /mcp gets 415 / 406 with a JSON-RPC error", async () => {
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" });
  let res = await fetch(server.url, { method: "POST", headers: { "Content-Type": "text/plain" }, body });
  assert.equal(res.status, 415);
  res = await fetch(server.url, { method: "POST", headers: { "Content-Type": "application/json", Accept: "image/png" }, body });
  assert.equal(res.status, 406);
  assert.equal((await res.json()).error.code, -32600);
});

test("three hundred idle connections do not stop the server from answering", async () => {
  const sockets = [];
  try {
    for (let i = 0; i < 300; i++) {
      sockets.push(await new Promise((resolve, reject) => {
        const s = tcpConnect(server.port, "127.0.0.1", () => resolve(s));
        s.on("error", reject);
      }));
    }
    await healthy();
  } finally {
    for (const s of sockets) s.destroy();
  }
});
