-- Shared wrk `done` hook: one machine-readable line with throughput and latency percentiles.
-- Loaded by create.lua and read.lua via dofile(); BENCH_LABEL names the run.
function done(summary, latency, requests)
   local secs = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format(
      "RESULT label=%s requests=%d secs=%.2f rps=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f non2xx=%d sock_err=%d\n",
      os.getenv("BENCH_LABEL") or "?", summary.requests, secs, summary.requests / secs,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000,
      latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000,
      e.status, e.connect + e.read + e.write + e.timeout))
end
