-- wrk script: POST /v1/events at a paced rate, one simulated event per request, taken in order
-- from BENCH_EVENTS (JSON lines, e.g. from `jaga fraud simulate`), each thread its own slice.
-- Pacing: every connection waits BENCH_DELAY_MS before each request, so the offered rate is
-- about connections × 1000 / (BENCH_DELAY_MS + latency) per second (wrk's delay() hook).
-- Env: JAGA_KEY, BENCH_EVENTS, BENCH_DELAY_MS, BENCH_THREADS, BENCH_DIR, BENCH_LABEL.
dofile((os.getenv("BENCH_DIR") or ".") .. "/report.lua")

local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("tid", counter)
end

function init(args)
   key = os.getenv("JAGA_KEY")
   pause = tonumber(os.getenv("BENCH_DELAY_MS") or "20")
   local threads = tonumber(os.getenv("BENCH_THREADS") or "2")
   events = {}
   local i = 0
   for line in io.lines(os.getenv("BENCH_EVENTS")) do
      i = i + 1
      if #line > 0 and (i % threads) == (tid - 1) then events[#events + 1] = line end
   end
   n = 0
   hdrs = { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" }
end

function delay()
   return pause
end

function request()
   n = n + 1
   if n > #events then n = 1 end
   return wrk.format("POST", "/v1/events", hdrs, events[n])
end
