-- Mixed load for bench/load.sh (wrk): bbox pages, single features, access-rule checks and writes.
-- Each wrk thread keeps its own counters by kind; done() adds them up and prints one line per kind.
-- Environment: LOAD_TOKEN (editor token), LOAD_IDS (file of unit codes), LOAD_EXTENT ("minx miny maxx maxy").

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

local ids = {}
local ext = {}
local token = os.getenv("LOAD_TOKEN") or ""
local kinds = { "bbox", "feature", "check", "write" }
local last = nil
local n = 0

function init(args)
  math.randomseed(tid * 7919 + os.time())
  for line in io.lines(os.getenv("LOAD_IDS")) do ids[#ids + 1] = line end
  for v in string.gmatch(os.getenv("LOAD_EXTENT"), "%S+") do ext[#ext + 1] = tonumber(v) end
  for _, k in ipairs(kinds) do
    _G["sent_" .. k] = 0
    _G["bad_" .. k] = 0
  end
  first_bad = ""
end

local function rnd(a, b) return a + (b - a) * math.random() end

local function square(lon, lat, d)
  return string.format('{"type":"Polygon","coordinates":[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]]]}',
    lon, lat, lon + d, lat, lon + d, lat + d, lon, lat + d, lon, lat)
end

function request()
  local r = math.random(100)
  local lon, lat = rnd(ext[1], ext[3] - 0.05), rnd(ext[2], ext[4] - 0.05)
  if r <= 45 then
    last = "bbox"
    return wrk.format("GET", string.format("/collections/farmland_units/items?bbox=%.4f,%.4f,%.4f,%.4f&limit=50", lon, lat, lon + 0.03, lat + 0.03))
  elseif r <= 70 then
    last = "feature"
    return wrk.format("GET", "/collections/farmland_units/items/" .. ids[math.random(#ids)])
  elseif r <= 85 then
    last = "check"
    local body = '{"geometry":' .. square(lon, lat, 0.005) .. ',"proposed_use":"070101"}'
    return wrk.format("POST", "/checks/rezoning", { ["Content-Type"] = "application/json" }, body)
  else
    -- a new unit with a code no other thread or run uses: writes never contend for one ETag here
    -- (tests/faults.rs covers that), so every write must succeed
    last = "write"
    n = n + 1
    local code = string.format("LOAD-%d-%d-%d", os.time() % 100000, tid, n)
    local body = string.format('{"type":"Feature","geometry":%s,"properties":{"unit_code":"%s","county_code":"450222","class":"safe_use","land_type":"0101","measures_in_place":true,"crops_compliant":true,"valid_from":"2024-01-01","basis_doc":"load test"}}',
      square(lon, lat, 0.0005), code)
    return wrk.format("POST", "/collections/farmland_units/items",
      { ["Content-Type"] = "application/geo+json", ["Authorization"] = "Bearer " .. token }, body)
  end
end

function response(status, headers, body)
  -- wrk pipelines nothing here (one request in flight per connection), so `last` is this response's kind
  _G["sent_" .. last] = _G["sent_" .. last] + 1
  if status >= 400 then
    _G["bad_" .. last] = _G["bad_" .. last] + 1
    if first_bad == "" then first_bad = status .. " " .. string.sub(body or "", 1, 200) end
  end
end

function done(summary, latency, requests)
  local total_bad = 0
  for _, k in ipairs(kinds) do
    local sent, bad = 0, 0
    for _, t in ipairs(threads) do
      sent = sent + (t:get("sent_" .. k) or 0)
      bad = bad + (t:get("bad_" .. k) or 0)
    end
    total_bad = total_bad + bad
    io.write(string.format("kind %-8s %9d answered %6d errors\n", k, sent, bad))
  end
  for _, t in ipairs(threads) do
    local fb = t:get("first_bad")
    if fb and fb ~= "" then io.write("first error: " .. fb .. "\n") break end
  end
  io.write(string.format("summary requests %d errors_http %d errors_socket %d p50_ms %.2f p90_ms %.2f p99_ms %.2f max_ms %.2f rps %.1f\n",
    summary.requests, math.max(total_bad, summary.errors.status),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.requests / (summary.duration / 1e6)))
end
