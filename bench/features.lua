-- wrk script for the feature benchmarks: GETs the paths listed (one per line) in the file named by URLS,
-- cycling through them (each thread from its own offset), and prints one RESULT line with throughput,
-- latency percentiles (ms), bytes per second and error counts.
local paths = {}
for line in io.lines(os.getenv("URLS")) do paths[#paths + 1] = line end
local i = 0
local headers = { ["Accept"] = "application/geo+json" }

function setup(thread)
    thread:set("offset", math.random(#paths))
end

function init(args)
    i = tonumber(offset) or 0
end

function request()
    i = i % #paths + 1
    return wrk.format("GET", paths[i], headers)
end

function done(summary, latency, requests)
    io.write(string.format("RESULT rps=%.1f p50=%.2f p90=%.2f p99=%.2f max=%.2f requests=%d mbps=%.1f errors=%d non2xx=%d\n",
        summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
        latency.max / 1000, summary.requests, summary.bytes / (summary.duration / 1e6) / 1e6,
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
        summary.errors.status))
end
