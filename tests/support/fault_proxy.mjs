#!/usr/bin/env node
// fault_proxy: a TCP proxy to PostgreSQL whose behaviour tests switch at run time, to put pgmcp
// through the network failures of an outage (tests/e2e/faults.test.mjs).
//
//   fault_proxy.mjs --target HOST:PORT
// prints one JSON line {"listen": PORT, "control": PORT} once both are listening (loopback, free
// ports). The control port speaks HTTP:
//   POST /pass       forward every connection (the default)
//   POST /refuse     close the listening socket: new connections get ECONNREFUSED
//   POST /reset      accept new connections and reset them at once (RST); reset the open ones too
//   POST /blackhole  accept new connections and never answer nor forward; stop forwarding on the
//                    open ones as well (they stay open, silent, until a side closes them)
//   POST /stall      forward the start-up of new connections (up to the server's first
//                    ReadyForQuery), then go silent on them as /blackhole does: a database that
//                    accepts the login and then never answers a query. Open connections pass on.
//                    The client must not ask for TLS (the server's answer is then read as sent).
//   POST /delay?ms=N forward new connections, but open each one's upstream only N ms after
//                    accepting it: a slow start-up handshake. Open connections pass on.
//   GET  /stats      {"mode", "accepted", "open", "stalled"}: connections accepted since start (in
//                    every mode but refuse, where the kernel refuses them), open now, and gone
//                    silent after their start-up (/stall)
// Every answer is the stats. Node's standard library only.
import { createServer, Socket } from "node:net";
import { createServer as createHttpServer } from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { target: { type: "string" } } });
if (!values.target || !values.target.includes(":")) {
  process.stderr.write("usage: fault_proxy.mjs --target HOST:PORT\n");
  process.exit(2);
}
const sep = values.target.lastIndexOf(":");
const target = { host: values.target.slice(0, sep), port: Number(values.target.slice(sep + 1)) };

let mode = "pass";
let delayMs = 0;
let accepted = 0;
let stalled = 0;
let listenPort = 0;
const open = new Set();  // { client, upstream, silent }

// Calls `ready` once the server's bytes `chunk` (fed in order) complete its first ReadyForQuery
// ('Z'): the start-up is over. Messages are a type byte and a 4-byte length that counts itself;
// a lone 'N' first is the server declining TLS or GSS encryption.
function startupWatcher(ready) {
  let pending = Buffer.alloc(0);
  let first = true;
  let done = false;
  return (chunk) => {
    if (done) return;
    pending = Buffer.concat([pending, chunk]);
    if (first && pending.length > 0 && pending[0] === 0x4e) pending = pending.subarray(1);
    first = false;
    while (pending.length >= 5) {
      const type = pending[0];
      const length = pending.readUInt32BE(1);
      if (pending.length < 1 + length) return;
      pending = pending.subarray(1 + length);
      if (type === 0x5a) {
        done = true;
        return ready();
      }
    }
  };
}

function onConnection(client) {
  accepted += 1;
  client.on("error", () => {});
  if (mode === "reset") return client.resetAndDestroy();
  const pair = { client, upstream: null, silent: mode === "blackhole" };
  open.add(pair);
  client.on("close", () => { open.delete(pair); pair.upstream?.destroy(); });
  if (pair.silent) return client.resume();  // read and drop whatever the client sends
  const upstream = (pair.upstream = new Socket());
  upstream.on("error", () => client.destroy());
  upstream.on("close", () => client.destroy());
  // Silent once the start-up is through: the ReadyForQuery itself still reaches the client.
  const watch = mode === "stall" ? startupWatcher(() => { pair.silent = true; stalled += 1; }) : null;
  upstream.on("data", (chunk) => {
    if (pair.silent) return;
    client.write(chunk);
    watch?.(chunk);
  });
  // The client's bytes wait in its (paused) socket until the upstream is being connected; from
  // then on the upstream queues them until it is connected.
  const forward = () => {
    if (client.destroyed) return;
    upstream.connect(target.port, target.host);
    client.on("data", (chunk) => { if (!pair.silent) upstream.write(chunk); });
  };
  if (mode === "delay") setTimeout(forward, delayMs);
  else forward();
}

let proxy = null;
function listen(port) {
  return new Promise((resolve, reject) => {
    proxy = createServer(onConnection);
    proxy.once("error", reject);
    proxy.listen(port, "127.0.0.1", () => resolve(proxy.address().port));
  });
}

async function setMode(next, query) {
  if (next === "delay") delayMs = Number(query.get("ms") ?? 1000);
  if (next === mode) return;
  if (mode === "refuse") await listen(listenPort);  // listening again, on the same port
  // close() stops listening at once; its callback would wait for every open connection to end.
  if (next === "refuse") proxy.close();
  if (next === "reset") for (const pair of open) { pair.client.resetAndDestroy(); pair.upstream?.destroy(); }
  if (next === "blackhole") for (const pair of open) pair.silent = true;
  mode = next;
}

const stats = () => ({ mode, accepted, open: open.size, stalled });
const control = createHttpServer(async (req, res) => {
  const url = new URL(req.url, "http://control");
  const name = url.pathname.replace(/^\//, "");
  try {
    if (req.method === "POST" && ["pass", "refuse", "reset", "blackhole", "stall", "delay"].includes(name)) {
      await setMode(name, url.searchParams);
    } else if (!(req.method === "GET" && name === "stats")) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(stats()));
  } catch (e) {
    res.writeHead(500, { "content-type": "text/plain" }).end(String(e));
  }
});

listenPort = await listen(0);
control.listen(0, "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ listen: listenPort, control: control.address().port }) + "\n");
});
