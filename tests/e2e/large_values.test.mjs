// Bounded memory (docs/security.md, "Bounded memory"): ten rows of 20 MB text, bytea and jsonb
// values, read by ten concurrent calls over HTTP through the official SDK client. The values are
// cut in the database and the rows read one at a time, so pgmcp's peak resident memory stays far
// below what the values weigh (600 MB), and every value comes back cut as docs/reference.md,
// "Results", says, with `truncated` set because the rows do not fit in max_result_bytes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { psql, startHttp } from "./harness.mjs";

const kMarker = "…[truncated]";
const kValueBytes = 20_000_000;
const kRows = 10;
const kCalls = 10;
const kMaxTextChars = 2000;
const kLimit = 5;  // the database reads (and cuts) limit + 1 rows per call
const kMaxResultBytes = 16384;  // fits 3 of the 5 cut rows: the byte cap sets `truncated`
const kPeakRssLimit = 200 * 1024 * 1024;
let server;

before(async () => {
  // Made once for this file, each value built once; lz4 stores the repetitive values small and
  // fast, the server still hands out 20 MB each.
  psql(`DROP TABLE IF EXISTS large_values;
        CREATE TABLE large_values (id int PRIMARY KEY, body text COMPRESSION lz4, blob bytea COMPRESSION lz4,
                                   doc jsonb COMPRESSION lz4);
        INSERT INTO large_values
          SELECT i, v.body, v.blob, v.doc
          FROM (SELECT repeat('x', ${kValueBytes}) AS body, decode(repeat('ab', ${kValueBytes}), 'hex') AS blob,
                       jsonb_build_object('k', repeat('y', ${kValueBytes})) AS doc OFFSET 0) AS v,
               generate_series(1, ${kRows}) AS i;
        GRANT SELECT ON large_values TO mcp_reader;
        SELECT 1`);
  server = await startHttp(`
[auth]
mode = "none"
[pool]
max = ${kCalls}
[limits]
statement_timeout_ms = 30000
max_text_chars = ${kMaxTextChars}
max_result_bytes = ${kMaxResultBytes}
`);
});

after(async () => {
  const code = await server?.stop();
  psql("DROP TABLE IF EXISTS large_values; SELECT 1");
  assert.equal(code, 0, "SIGTERM drains and exits 0");
});

function status(field) {
  const line = readFileSync(`/proc/${server.proc.pid}/status`, "utf8").split("\n").find((l) => l.startsWith(field + ":"));
  return Number(line.split(/\s+/)[1]) * 1024;  // kB
}

// AddressSanitizer's shadow memory and quarantine make every allocation weigh more: there the
// bound is reported, not asserted (the -Werror build asserts it).
function sanitized() {
  return readFileSync(`/proc/${server.proc.pid}/maps`, "utf8").includes("libasan");
}

async function call() {
  const transport = new StreamableHTTPClientTransport(new URL(server.url));
  const client = new Client({ name: "pgmcp-e2e-large", version: "1.0.0" });
  await client.connect(transport);
  try {
    return await client.callTool({ name: "query_large_values",
                                   arguments: { order_by: [{ column: "id" }], limit: kLimit } });
  } finally {
    await client.close();
  }
}

test("ten concurrent calls over rows of 20 MB values stay under 200 MB resident, values cut", async () => {
  const results = await Promise.all(Array.from({ length: kCalls }, call));
  const peak = status("VmHWM");
  const mb = (peak / 1024 / 1024).toFixed(1);
  console.log(`# pgmcp peak RSS (VmHWM) after ${kCalls} concurrent calls: ${mb} MB`);
  const expectedBlob = "q6ur".repeat(kMaxTextChars / 4) + kMarker;  // base64 of 0xab 0xab 0xab...
  for (const result of results) {
    assert.equal(result.isError, false, JSON.stringify(result).slice(0, 500));
    const doc = result.structuredContent;
    assert.deepEqual(doc.columns, ["id", "body", "blob", "doc"]);
    assert.equal(doc.truncated, true, "the rows do not fit in max_result_bytes");
    assert.ok(doc.row_count > 0 && doc.row_count < kLimit, `row_count ${doc.row_count}`);
    assert.ok(JSON.stringify(doc).length <= kMaxResultBytes);
    doc.rows.forEach((row, i) => {
      assert.equal(row[0], i + 1, "whole rows, in order");
      assert.equal(row[1], "x".repeat(kMaxTextChars) + kMarker, "text: max_text_chars code points and the marker");
      assert.equal(row[2], expectedBlob, "bytea: the base64 text cut like text");
      assert.equal(row[3], kMarker, "json: a document that would be cut is the marker");
    });
  }
  if (!sanitized()) assert.ok(peak < kPeakRssLimit, `peak RSS ${mb} MB`);
});
