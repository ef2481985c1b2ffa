-- bench/soak.sh's traffic: one kind per wrk process (SOAK_KIND), data from SOAK_DATA. wrk thread 1 and thread 2
-- each own half the connections, so a kind can mix two request sets and still check every answer against the one
-- status its own set must get (accounts: thread 1 hits → 200, thread 2 misses → 404; ranges: SHA-1 and NTLM).
local threads = {}
local started = 0

function setup(thread)
  started = started + 1
  thread:set("tid", started)
  table.insert(threads, thread)
end

function init(args)
  dofile(os.getenv("SOAK_DATA"))
  kind = os.getenv("SOAK_KIND")
  statuses = {}
  expect = 200
  suffix = ""
  i = 0
  if kind == "accounts" then
    list = (tid == 1) and hits or misses
    expect = (tid == 1) and 200 or 404
  elseif kind == "ranges" then
    list = prefixes
    suffix = (tid == 1) and "" or "?mode=ntlm"
  elseif kind == "private" then
    list = bodies
  end
end

function request()
  i = i + 1
  if kind == "accounts" then
    return wrk.format("GET", "/api/v3/breachedaccount/" .. list[(i % #list) + 1],
      { ["hibp-api-key"] = key, ["User-Agent"] = "leakwatch-soak" })
  elseif kind == "ranges" then
    return wrk.format("GET", "/range/" .. list[(i % #list) + 1] .. suffix)
  elseif kind == "private" then
    return wrk.format("POST", "/api/private/evaluate", { ["Content-Type"] = "application/json" }, list[(i % #list) + 1])
  end
  return wrk.format("GET", "/")
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local kind = os.getenv("SOAK_KIND")
  for _, t in ipairs(threads) do
    local parts = {}
    for code, n in pairs(t:get("statuses")) do
      table.insert(parts, code .. "=" .. n)
    end
    io.write(string.format("soak-status kind=%s thread=%d expect=%d %s\n", kind, t:get("tid"), t:get("expect"),
      table.concat(parts, " ")))
  end
  local e = summary.errors
  io.write(string.format("soak-summary kind=%s requests=%d connect=%d read=%d write=%d timeout=%d p50_ms=%.2f p99_ms=%.2f\n",
    kind, summary.requests, e.connect, e.read, e.write, e.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
