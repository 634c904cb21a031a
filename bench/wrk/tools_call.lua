-- wrk script for pgmcp's stateless HTTP era (MCP 2026-07-28): every request is one tools/call of the
-- benchmark lookup, query_orders {"where": {"customer_id": N}} with N cycling over 1..MAX, carrying the
-- era's _meta and headers. With a token file, each request carries the next of a pre-made set of
-- HS256 tokens (one per tenant, rotated), so pgmcp verifies a token per call and its cache of verified
-- tokens is hit as it is by real clients; with "-" there is no Authorization header (auth.mode none).
--
--   wrk -t1 -c10 -d30s -s bench/wrk/tools_call.lua http://127.0.0.1:PORT/mcp -- TOKENS|- MAX [OUT.json [PACE_MS]]
--
-- The driver must cost little next to the server, so the MAX requests of one round are built once, in
-- init(), and request() only hands out the next; JSON-RPC ids repeat from round to round (the stateless
-- era keeps no ids between requests, and MAX is far above the connections in flight). There is no
-- response() callback, so wrk neither collects headers nor hands bodies to Lua: it counts statuses
-- above 399 itself, and tool results with isError are counted by bench/run from pgmcp's own metrics
-- (pgmcp_tool_calls_total) read before and after the phase.
--
-- PACE_MS: each connection waits that many milliseconds before each request (wrk's delay()), to hold a
-- fast server near the rate of a slower one (bench/run's floor phase); without it wrk sends back to back.
--
-- OUT.json ("-" for none) gets requests, ok (requests without an HTTP or socket error), calls/s, latency percentiles
-- (ms), bytes per response and errors: HTTP statuses above 399 and wrk's socket errors. See
-- docs/benchmarks.md.

local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

local requests = {}
local next_request = 1
out_file = nil

local meta = '"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",' ..
             '"io.modelcontextprotocol/clientCapabilities":{}}'
local headers = {
  ["Content-Type"] = "application/json",
  ["Accept"] = "application/json, text/event-stream",
  ["MCP-Protocol-Version"] = "2026-07-28",
  ["Mcp-Method"] = "tools/call",
  ["Mcp-Name"] = "query_orders",
}

function init(args)
  local token_file = args[1] or "-"
  local max_value = tonumber(args[2] or "2000")
  out_file = args[3] ~= "-" and args[3] or nil
  local pace_ms = tonumber(args[4] or "0")
  if pace_ms > 0 then
    -- Defined only when asked for: wrk checks for delay() once, after init(), and otherwise never calls it.
    function delay() return pace_ms end
  end
  local tokens = {}
  if token_file ~= "-" then
    for line in io.lines(token_file) do
      if #line > 0 then tokens[#tokens + 1] = line end
    end
    assert(#tokens > 0, "no tokens in " .. token_file)
  end
  -- Threads start at different points of the token set and of the key range.
  local first_token = thread_index % math.max(#tokens, 1)
  local first_value = (thread_index * 997) % max_value
  for i = 1, max_value do
    if #tokens > 0 then
      headers["Authorization"] = "Bearer " .. tokens[(first_token + i - 1) % #tokens + 1]
    end
    local body = '{"jsonrpc":"2.0","id":' .. i ..
                 ',"method":"tools/call","params":{"name":"query_orders","arguments":{"where":{"customer_id":' ..
                 ((first_value + i - 1) % max_value + 1) .. '}},' .. meta .. '}}'
    requests[i] = wrk.format("POST", wrk.path, headers, body)
  end
end

function request()
  local r = requests[next_request]
  next_request = next_request % #requests + 1
  return r
end

function done(summary, latency, _)
  local e = summary.errors
  local socket = e.connect + e.read + e.write + e.timeout
  local ok = math.max(summary.requests - e.status - socket, 0)
  local seconds = summary.duration / 1e6
  local ms = function(p) return string.format("%.3f", latency:percentile(p) / 1000) end
  local json = string.format(
    '{"requests":%d,"ok":%d,"duration_s":%.2f,"calls_per_s":%.1f,"bytes_per_response":%.0f,' ..
    '"latency_ms":{"p50":%s,"p95":%s,"p99":%s,"max":%.3f},' ..
    '"errors":{"http":%d,"socket":%d}}\n',
    summary.requests, ok, seconds, ok / seconds, summary.bytes / math.max(summary.requests, 1),
    ms(50), ms(95), ms(99), latency.max / 1000, e.status, socket)
  io.write(json)
  -- done() runs in wrk's main Lua state, which never saw the script's arguments: a thread did.
  local out_file = threads[1]:get("out_file")
  if out_file then
    local f = assert(io.open(out_file, "w"))
    f:write(json)
    f:close()
  end
end
