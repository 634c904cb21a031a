// Schema lifecycle (docs/operations.md, "Schema reloads"): migrations applied while a client is connected are reflected after
// SIGHUP, after NOTIFY on the reload channel, and after the TTL, and the official SDK client
// receives notifications/tools/list_changed each time; a failed reload keeps the last good schema.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { writeFileSync } from "node:fs";
import { connect, db, psql, startHttp, startProxy, waitFor, writeTemp } from "./harness.mjs";

let session;
let changes = 0;
let waiters = [];

function onChange() {
  changes += 1;
  for (const w of waiters.splice(0)) w();
}
// Resolves at the next tools/list_changed notification (or fails after 15 s).
function nextChange(what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no tools/list_changed after ${what}`)), 15000);
    waiters.push(() => { clearTimeout(timer); resolve(); });
  });
}
async function toolNames(client) {
  return (await client.listTools()).tools.map((t) => t.name);
}

before(async () => {
  psql(`DROP TABLE IF EXISTS reload_a, reload_b`);
  session = await connect();
  session.client.setNotificationHandler(ToolListChangedNotificationSchema, onChange);
});
after(async () => {
  await session?.client.close();
  psql(`DROP TABLE IF EXISTS reload_a, reload_b`);
});

test("SIGHUP picks up a new table and tells the client", async () => {
  psql(`CREATE TABLE reload_a (id int PRIMARY KEY, label text); GRANT SELECT ON reload_a TO mcp_reader;
        INSERT INTO reload_a VALUES (1, 'one'), (2, 'two')`);
  const changed = nextChange("SIGHUP");
  process.kill(session.transport.pid, "SIGHUP");
  await changed;
  assert.ok((await toolNames(session.client)).includes("query_reload_a"));
  const r = await session.client.callTool({ name: "query_reload_a", arguments: { where: { label: "two" } } });
  assert.deepEqual(r.structuredContent.rows, [[2, "two"]]);
});

test("NOTIFY 'reload schema' picks up an added column", async () => {
  psql(`ALTER TABLE reload_a ADD COLUMN extra int DEFAULT 7`);
  const changed = nextChange("NOTIFY");
  psql(`NOTIFY pgmcp, 'reload schema'`);
  await changed;
  const tool = (await session.client.listTools()).tools.find((t) => t.name === "query_reload_a");
  assert.ok(JSON.stringify(tool.inputSchema).includes('"extra"'));
  const r = await session.client.callTool({ name: "query_reload_a", arguments: { select: ["extra"], limit: 1 } });
  assert.deepEqual(r.structuredContent.rows, [[7]]);
});

test("a renamed column: the old name gets a clear error, the new one works", async () => {
  psql(`ALTER TABLE reload_a RENAME COLUMN label TO title`);
  const changed = nextChange("NOTIFY after rename");
  psql(`NOTIFY pgmcp, 'reload schema'`);
  await changed;
  const old = await session.client.callTool({ name: "query_reload_a", arguments: { where: { label: "one" } } });
  assert.equal(old.isError, true);
  assert.match(old.content[0].text, /label/);
  assert.match(old.content[0].text, /title/, "the error lists the columns that exist");
  const r = await session.client.callTool({ name: "query_reload_a", arguments: { where: { title: "one" } } });
  assert.deepEqual(r.structuredContent.rows.map((row) => row[0]), [1]);
});

test("a failed reload keeps the last good schema serving", async () => {
  psql(`ALTER ROLE mcp_reader CONNECTION LIMIT 0`);
  try {
    const before = changes;
    process.kill(session.transport.pid, "SIGHUP");
    // The reload cannot connect: wait until pgmcp logs the failure, then the old tools still serve.
    const deadline = Date.now() + 15000;
    while (!session.stderr.join("").includes('"event":"schema_reload_failed"') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(session.stderr.join("").includes('"event":"schema_reload_failed"'), "the failed reload is logged");
    assert.ok((await toolNames(session.client)).includes("query_reload_a"));
    const r = await session.client.callTool({ name: "query_reload_a", arguments: { limit: 1 } });
    assert.equal(r.isError, false);
    assert.equal(changes, before);
  } finally {
    psql(`ALTER ROLE mcp_reader CONNECTION LIMIT -1`);
  }
});

test("a dropped table disappears after SIGHUP and its tool is unknown", async () => {
  psql(`DROP TABLE reload_a`);
  const changed = nextChange("SIGHUP after drop");
  process.kill(session.transport.pid, "SIGHUP");
  await changed;
  assert.ok(!(await toolNames(session.client)).includes("query_reload_a"));
  await assert.rejects(session.client.callTool({ name: "query_reload_a", arguments: {} }), /Unknown tool|-32602/);
});

test("after cache_ttl_seconds the next request checks the schema version and reloads", async () => {
  const ttl = await connect(["--config", writeTemp("ttl.toml", "[schema]\ncache_ttl_seconds = 1\n")]);
  let ttlChanges = 0;
  ttl.client.setNotificationHandler(ToolListChangedNotificationSchema, () => { ttlChanges += 1; });
  try {
    psql(`CREATE TABLE reload_b (id int PRIMARY KEY); GRANT SELECT ON reload_b TO mcp_reader`);
    const deadline = Date.now() + 15000;
    let names = await toolNames(ttl.client);
    while (!names.includes("query_reload_b") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));  // poll: the TTL is the point of this test
      names = await toolNames(ttl.client);
    }
    assert.ok(names.includes("query_reload_b"));
    assert.ok(ttlChanges >= 1);
  } finally {
    await ttl.client.close();
  }
});

test("SIGHUP re-reads the config file: a newly excluded table disappears", async () => {
  const configPath = writeTemp("reload.toml", "[schema]\nexclude_tables = [\"*_migrations\"]\n");
  const own = await connect(["--config", configPath]);
  let changed = 0;
  own.client.setNotificationHandler(ToolListChangedNotificationSchema, () => { changed += 1; });
  try {
    assert.ok((await toolNames(own.client)).includes("query_products"));
    writeFileSync(configPath, "[schema]\nexclude_tables = [\"*_migrations\", \"products\"]\n");
    process.kill(own.transport.pid, "SIGHUP");
    const deadline = Date.now() + 15000;
    while (changed === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(changed, 1);
    assert.ok(!(await toolNames(own.client)).includes("query_products"));
    // A broken config file is refused on SIGHUP and the running settings stay.
    writeFileSync(configPath, "[schema]\nexclude_tablez = 1\n");
    process.kill(own.transport.pid, "SIGHUP");
    while (!own.stderr.join("").includes('"event":"config_reload_failed"') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(own.stderr.join("").includes("exclude_tablez"));
    assert.ok(!(await toolNames(own.client)).includes("query_products"));
    // So is a time zone the database does not know (asked before it applies): calls go on in UTC.
    writeFileSync(configPath, "[schema]\nexclude_tables = [\"*_migrations\", \"products\"]\n[query]\ntimezone = \"Europe/Berln\"\n");
    process.kill(own.transport.pid, "SIGHUP");
    while (!own.stderr.join("").includes("'query.timezone'") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(own.stderr.join("").includes("the database knows no time zone 'Europe/Berln'"));
    const customers = await own.client.callTool({ name: "query_customers", arguments: { limit: 1, select: ["created_at"] } });
    assert.equal(customers.isError, false, JSON.stringify(customers.content));
    assert.match(customers.structuredContent.rows[0][0], /(Z|\+00:00)$/, "still UTC");
  } finally {
    await own.client.close();
  }
});

// The audit on every reload (docs/security.md): a GRANT made while pgmcp serves changes no schema
// version, yet the next reload finds it; calls are refused and /readyz says 503 until a reload finds
// it revoked.
test("a GRANT INSERT found by SIGHUP refuses every call and fails /readyz until REVOKE and SIGHUP", async () => {
  const server = await startHttp(`[auth]\nmode = "none"\n`);
  const META = { "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                 "io.modelcontextprotocol/clientCapabilities": {} };
  const callProducts = async () => {
    const res = await fetch(server.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "MCP-Protocol-Version": "2026-07-28",
                 "Mcp-Method": "tools/call", "Mcp-Name": "query_products" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call",
                             params: { name: "query_products", arguments: { limit: 1 }, _meta: META } }),
    });
    return (await res.json()).result;
  };
  const ready = async () => (await fetch(`${server.base}/readyz`)).status;
  try {
    assert.equal((await callProducts()).isError, false);
    assert.equal(await ready(), 200);
    psql(`GRANT INSERT ON products TO mcp_reader`);
    server.proc.kill("SIGHUP");
    await waitFor("/readyz 503 after the GRANT", async () => (await ready()) === 503, 15000);
    const refused = await callProducts();
    assert.equal(refused.isError, true);
    assert.match(refused.content[0].text, /refuses tool calls until its database role is safe again/);
    await waitFor("the roles_unsafe log line", () => server.logs.some((l) => l.includes('"event":"roles_unsafe"')));
    assert.ok(server.logs.some((l) => l.includes("INSERT on table public.products")), "the log names the grant");

    psql(`REVOKE INSERT ON products FROM mcp_reader`);
    server.proc.kill("SIGHUP");
    await waitFor("/readyz 200 after the REVOKE", async () => (await ready()) === 200, 15000);
    assert.equal((await callProducts()).isError, false);
    await waitFor("the roles_safe_again log line", () => server.logs.some((l) => l.includes('"event":"roles_safe_again"')));
    assert.equal(server.logs.filter((l) => l.includes('"event":"roles_unsafe"')).length, 1, "logged once, not per check");
  } finally {
    psql(`REVOKE INSERT ON products FROM mcp_reader`);
    await server.stop();
  }
});

// SIGHUP during start-up (found in review: before the handler was in place its default action
// ended the process, and systemd counts death by SIGHUP as clean, so Restart=on-failure did not
// bring it back). pgmcp catches it from its first moment and applies it once serving.
test("a SIGHUP during start-up is kept and applied as a reload once serving", async () => {
  const proxy = await startProxy(Number(process.env.PGPORT));
  await proxy.set("delay?ms=1000");  // every connection's start-up takes a second
  let server;
  try {
    server = await startHttp(`[auth]\nmode = "none"\n`, [], {
      dsn: `host=127.0.0.1 port=${proxy.listen} dbname=${db} user=mcp_reader`,
      onSpawn: (proc) => setTimeout(() => proc.kill("SIGHUP"), 200),
    });
    await waitFor("the reload of the SIGHUP sent during start-up",
                  () => server.logs.some((l) => l.includes('"event":"config_reloaded"')));
    assert.equal(server.proc.exitCode, null, "still serving");
    assert.equal((await fetch(`${server.base}/healthz`)).status, 200);
  } finally {
    await server?.stop();
    proxy.close();
  }
});

// NOTIFY needs no privilege, so any database user could keep pgmcp rebuilding its schema without
// pause (found in review). NOTIFY reloads are rate-limited: one at once, the rest of a burst folded
// into one 2 s later; a rebuild that changed nothing is logged at debug, as documented.
test("a burst of 50 NOTIFYs costs at most a few reloads, each logged at debug when nothing changed", async () => {
  const own = await connect(["--log-level", "debug"]);
  const lines = () => own.stderr.join("").split("\n");
  const reloads = () => lines().filter((l) => l.includes('"event":"schema_reload"'));
  try {
    await waitFor("LISTEN", () => lines().some((l) => l.includes('"event":"listen_started"')));
    // 50 transactions, 30 ms apart: each COMMIT delivers its NOTIFY.
    psql(`DO $$ BEGIN FOR i IN 1..50 LOOP PERFORM pg_notify('pgmcp', 'reload schema'); COMMIT;
          PERFORM pg_sleep(0.03); END LOOP; END $$`);
    await waitFor("the first reload", () => reloads().length >= 1);
    // The folded reload is due at most 2 s after the one before it; allow it to come and go.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const seen = reloads();
    console.log(`# 50 NOTIFYs: ${seen.length} reloads`);
    assert.ok(seen.length >= 2 && seen.length <= 3, `${seen.length} reloads:\n${seen.join("\n")}`);
    for (const line of seen) {
      const entry = JSON.parse(line);
      assert.equal(entry.result, "unchanged", line);
      assert.equal(entry.level, "debug", line);
    }
  } finally {
    await own.client.close();
  }
});
