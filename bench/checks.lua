-- wrk script for the check benchmarks: POSTs one JSON body per line of the file named by BODIES to PATH,
-- cycling through them (each thread from its own offset), and prints one RESULT line with throughput,
-- latency percentiles (ms) and error counts.
local bodies = {}
for line in io.lines(os.getenv("BODIES")) do bodies[#bodies + 1] = line end
local path = os.getenv("CHECK_PATH") or "/checks/rezoning"
local i = 0
local headers = { ["Content-Type"] = "application/json" }

function setup(thread)
    thread:set("offset", math.random(#bodies))
end

function init(args)
    i = tonumber(offset) or 0
end

function request()
    i = i % #bodies + 1
    return wrk.format("POST", path, headers, bodies[i])
end

function done(summary, latency, requests)
    io.write(string.format("RESULT rps=%.1f p50=%.2f p90=%.2f p99=%.2f max=%.2f requests=%d errors=%d non2xx=%d\n",
        summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
        latency.max / 1000, summary.requests,
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
        summary.errors.status))
end
