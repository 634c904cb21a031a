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
//   GET  /stats      {"mode", "accepted", "open"}: connections accepted since start (in every mode
//                    but refuse, where the kernel refuses them), and open now
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
let accepted = 0;
let listenPort = 0;
const open = new Set();  // { client, upstream, silent }

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
  upstream.connect(target.port, target.host);
  client.on("data", (chunk) => { if (!pair.silent) upstream.write(chunk); });
  upstream.on("data", (chunk) => { if (!pair.silent) client.write(chunk); });
}

let proxy = null;
function listen(port) {
  return new Promise((resolve, reject) => {
    proxy = createServer(onConnection);
    proxy.once("error", reject);
    proxy.listen(port, "127.0.0.1", () => resolve(proxy.address().port));
  });
}

async function setMode(next) {
  if (next === mode) return;
  if (mode === "refuse") await listen(listenPort);  // listening again, on the same port
  // close() stops listening at once; its callback would wait for every open connection to end.
  if (next === "refuse") proxy.close();
  if (next === "reset") for (const pair of open) { pair.client.resetAndDestroy(); pair.upstream?.destroy(); }
  if (next === "blackhole") for (const pair of open) pair.silent = true;
  mode = next;
}

const stats = () => ({ mode, accepted, open: open.size });
const control = createHttpServer(async (req, res) => {
  const name = req.url.replace(/^\//, "");
  try {
    if (req.method === "POST" && ["pass", "refuse", "reset", "blackhole"].includes(name)) await setMode(name);
    else if (!(req.method === "GET" && name === "stats")) {
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
