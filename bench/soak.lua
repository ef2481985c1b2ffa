-- bench/soak.sh's traffic: one kind per wrk process (SOAK_KIND), data from SOAK_DATA.
--   accounts: every thread interleaves hits and misses on the one key, a hit then a miss, as a real client's mix
--             comes (a detector sees both in one stream). wrk does not tell which request an answer belongs to, so
--             an answer is checked by what it is: a 200 must list the base breach, a 404 is a miss's; and the
--             counts must add up: 200s ≤ hits sent, 404s ≤ misses sent, each short by at most the requests still in
--             flight when the run stopped (soak.sh checks that), anything else is an error.
--   ranges:   thread 1 SHA-1, thread 2 NTLM (200 each).
--   private:  POST /api/private/evaluate with bodies blinded at run time (200).
--   page:     GET / (200).
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
  hitsSent, missesSent, hitIndex, missIndex, bad200 = 0, 0, 0, 0, 0
  if kind == "accounts" then
    expect = 0 -- mixed: see soak-accounts below
    -- The threads start at different places in the lists, so they do not ask the same accounts in lockstep.
    hitIndex = (tid - 1) * math.floor(#hits / 2)
    missIndex = (tid - 1) * math.floor(#misses / 2)
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
    local account
    if i % 2 == 1 then
      hitIndex = hitIndex + 1
      hitsSent = hitsSent + 1
      account = hits[(hitIndex % #hits) + 1]
    else
      missIndex = missIndex + 1
      missesSent = missesSent + 1
      account = misses[(missIndex % #misses) + 1]
    end
    return wrk.format("GET", "/api/v3/breachedaccount/" .. account,
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
  if kind == "accounts" and status == 200 and not string.find(body, "SoakBase", 1, true) then
    bad200 = bad200 + 1
  end
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
    if kind == "accounts" then
      io.write(string.format("soak-accounts thread=%d hits_sent=%d misses_sent=%d bad_200=%d\n", t:get("tid"),
        t:get("hitsSent"), t:get("missesSent"), t:get("bad200")))
    end
  end
  local e = summary.errors
  io.write(string.format("soak-summary kind=%s requests=%d connect=%d read=%d write=%d timeout=%d p50_ms=%.2f p99_ms=%.2f\n",
    kind, summary.requests, e.connect, e.read, e.write, e.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
