-- wrk script: masked read, GET /v1/customers/{id}, ids picked at random from BENCH_IDS.
-- Env: JAGA_KEY (API key), BENCH_IDS (file, one UUID per line), BENCH_DIR, BENCH_LABEL.
dofile((os.getenv("BENCH_DIR") or ".") .. "/report.lua")

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("tid", counter)
end

function init(args)
   key = os.getenv("JAGA_KEY")
   ids = {}
   for line in io.lines(os.getenv("BENCH_IDS")) do
      if #line > 0 then ids[#ids + 1] = line end
   end
   math.randomseed(os.time() + tid * 7919)
   hdrs = { ["Authorization"] = "Bearer " .. key }
end

function request()
   local id = ids[math.random(#ids)]
   return wrk.format("GET", "/v1/customers/" .. id, hdrs)
end
