-- wrk script for pgmcp's stateless HTTP era (MCP 2026-07-28): every request is one tools/call of the
-- benchmark lookup, query_orders {"where": {"customer_id": N}} with N cycling over 1..MAX, carrying the
-- era's _meta and headers. With a token file, each request carries the next of a pre-made set of
-- HS256 tokens (one per tenant, rotated), so pgmcp verifies a token per call and its cache of verified
-- tokens is hit as it is by real clients; with "-" there is no Authorization header (auth.mode none).
--
--   wrk -t2 -c10 -d30s -s bench/wrk/tools_call.lua http://127.0.0.1:PORT/mcp -- TOKENS|- MAX OUT.json
--
-- OUT.json gets requests, calls/s, latency percentiles (ms) and errors: HTTP statuses other than 200,
-- tool results with isError, and wrk's socket errors. See docs/benchmarks.md.

local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

local tokens = {}
local next_token = 1
local value = 0
local max_value = 2000
local request_id = 0
local path = "/mcp"
http_errors = 0
tool_errors = 0
out_file = nil

function init(args)
  local token_file = args[1] or "-"
  max_value = tonumber(args[2] or "2000")
  out_file = args[3]
  if token_file ~= "-" then
    for line in io.lines(token_file) do
      if #line > 0 then tokens[#tokens + 1] = line end
    end
    assert(#tokens > 0, "no tokens in " .. token_file)
  end
  -- Threads start at different points of the token set and of the key range.
  next_token = (thread_index % math.max(#tokens, 1)) + 1
  value = (thread_index * 997) % max_value
  path = wrk.path
end

local meta = '"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",' ..
             '"io.modelcontextprotocol/clientCapabilities":{}}'
local headers = {
  ["Content-Type"] = "application/json",
  ["Accept"] = "application/json, text/event-stream",
  ["MCP-Protocol-Version"] = "2026-07-28",
  ["Mcp-Method"] = "tools/call",
  ["Mcp-Name"] = "query_orders",
}

function request()
  value = value % max_value + 1
  request_id = request_id + 1
  if #tokens > 0 then
    headers["Authorization"] = "Bearer " .. tokens[next_token]
    next_token = next_token % #tokens + 1
  end
  local body = '{"jsonrpc":"2.0","id":' .. request_id ..
               ',"method":"tools/call","params":{"name":"query_orders","arguments":{"where":{"customer_id":' ..
               value .. '}},' .. meta .. '}}'
  return wrk.format("POST", path, headers, body)
end

function response(status, _, body)
  if status ~= 200 then
    http_errors = http_errors + 1
  elseif string.find(body, '"isError":true', 1, true) then
    tool_errors = tool_errors + 1
  end
end

function done(summary, latency, _)
  local http, tool = 0, 0
  for _, t in ipairs(threads) do
    http = http + t:get("http_errors")
    tool = tool + t:get("tool_errors")
  end
  local e = summary.errors
  local socket = e.connect + e.read + e.write + e.timeout
  local ok = summary.requests - http - tool - socket
  local seconds = summary.duration / 1e6
  local ms = function(p) return string.format("%.3f", latency:percentile(p) / 1000) end
  local json = string.format(
    '{"requests":%d,"ok":%d,"duration_s":%.2f,"calls_per_s":%.1f,' ..
    '"latency_ms":{"p50":%s,"p95":%s,"p99":%s,"max":%.3f},' ..
    '"errors":{"http":%d,"tool":%d,"socket":%d}}\n',
    summary.requests, ok, seconds, ok / seconds, ms(50), ms(95), ms(99), latency.max / 1000, http, tool, socket)
  io.write(json)
  -- done() runs in wrk's main Lua state, which never saw the script's arguments: a thread did.
  local out_file = threads[1]:get("out_file")
  if out_file then
    local f = assert(io.open(out_file, "w"))
    f:write(json)
    f:close()
  end
end
