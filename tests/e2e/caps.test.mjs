// The transport caps of docs/security.md, "Caps", pushed past their limits on the real binary over stdio: JSON
// nested deeper than 64 levels and one line longer than limits.max_line_bytes are each answered
// with a JSON-RPC error, and the server goes on answering. Also: a limit over max_rows through the
// SDK client is a tool error naming the maximum, not a protocol failure.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect, spawnRaw, writeTemp } from "./harness.mjs";

const kMaxLineBytes = 4096;  // the smallest the config accepts, so an oversized line is cheap
let raw;

before(async () => {
  const config = writeTemp("caps.toml", `[limits]\nmax_line_bytes = ${kMaxLineBytes}\n`);
  raw = spawnRaw(["--config", config]);
  const init = await raw.initialize();
  assert.ok(init.result, JSON.stringify(init));
});

after(async () => {
  await raw?.close();
});

// A ping whose params nest arrays so that the whole message is `depth` levels deep
// (the message object is level 1, params level 2).
function nestedPing(id, depth) {
  const inner = "[".repeat(depth - 2) + "]".repeat(depth - 2);
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":"ping","params":{"pad":${inner}}}`;
}

async function stillServing(id) {
  const pong = await raw.request({ jsonrpc: "2.0", id, method: "ping" });
  assert.deepEqual(pong.result, {}, JSON.stringify(pong));
  assert.equal(raw.proc.exitCode, null, "the server is still running");
}

test("JSON nested deeper than 64 levels is a JSON-RPC parse error, and the server goes on", async () => {
  const reply = raw.nextMessage((m) => m.error !== undefined && m.id === null);
  await raw.write(nestedPing("deep", 65) + "\n");
  const error = await reply;
  assert.equal(error.error.code, -32700, JSON.stringify(error));
  assert.match(error.error.message, /deeper than 64/);
  await stillServing("after-deep");
  // Far deeper (a stack-exhaustion attempt that still fits the line cap) is the same error, not a crash.
  const reply2 = raw.nextMessage((m) => m.error !== undefined && m.id === null);
  await raw.write(nestedPing("deeper", 2000) + "\n");
  assert.equal((await reply2).error.code, -32700);
  await stillServing("after-deeper");
});

test("JSON exactly 64 levels deep is parsed", async () => {
  const reply = await raw.request(JSON.parse(nestedPing("at-limit", 64)));
  assert.deepEqual(reply.result, {}, JSON.stringify(reply));
});

test("a deeply nested tool argument is refused before it reaches the query builder", async () => {
  const deep = JSON.parse("[".repeat(40) + "1" + "]".repeat(40));
  const reply = await raw.request({ jsonrpc: "2.0", id: "deep-arg", method: "tools/call",
    params: { name: "query_customers", arguments: { where: { id: { in: [deep] } } } } });
  assert.equal(reply.result?.isError, true, JSON.stringify(reply));
});

test("one stdio line longer than limits.max_line_bytes is a JSON-RPC error, and the server goes on", async () => {
  // A well-formed request, so that if the cap were not applied it would be answered normally.
  const big = JSON.stringify({ jsonrpc: "2.0", id: "big", method: "ping", params: { pad: "x".repeat(200000) } });
  const reply = raw.nextMessage((m) => m.error !== undefined && m.id === null);
  await raw.write(big + "\n");
  const error = await reply;
  assert.equal(error.error.code, -32600, JSON.stringify(error));
  assert.match(error.error.message, new RegExp(`larger than ${kMaxLineBytes} bytes`));
  await stillServing("after-big");
  // Sent in small pieces, the same line is refused the same way.
  const reply2 = raw.nextMessage((m) => m.error !== undefined && m.id === null);
  for (let i = 0; i < big.length; i += 1000) await raw.write(big.slice(i, i + 1000));
  await raw.write("\n");
  assert.equal((await reply2).error.code, -32600);
  await stillServing("after-big-pieces");
});

// Regression: the size used to be checked only at the end of each read(2) chunk, so a line whose
// newline arrived in the same chunk was accepted up to max_line_bytes + 64 KiB.
test("a line just over max_line_bytes, arriving in one piece, is refused", async () => {
    const line = JSON.stringify({ jsonrpc: "2.0", id: "just-over", method: "ping", params: { pad: "x".repeat(kMaxLineBytes) } });
    const reply = raw.nextMessage((m) => m.id === "just-over" || (m.error !== undefined && m.id === null));
    await raw.write(line + "\n");
    const got = await reply;
    assert.equal(got.error?.code, -32600, JSON.stringify(got));
  });

test("stdout carried nothing but JSON-RPC messages", () => {
  assert.deepEqual(raw.nonJson, []);
});

test("a limit over max_rows is a tool error naming the maximum (SDK client)", async () => {
  const config = writeTemp("caps-rows.toml", "[limits]\nmax_rows = 50\ndefault_limit = 10\n");
  const session = await connect(["--config", config]);
  try {
    const over = await session.client.callTool({ name: "query_orders", arguments: { limit: 51 } });
    assert.equal(over.isError, true);
    assert.equal(over.content[0].text, "limit must be a whole number from 1 to 50.");
    const at = await session.client.callTool({ name: "query_orders", arguments: { limit: 50 } });
    assert.equal(at.isError, false);
    assert.equal(at.structuredContent.row_count, 50);
  } finally {
    await session.client.close();
  }
});
