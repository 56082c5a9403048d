-- wrk script: POST /v1/customers with a full customer and a unique e-mail per request.
-- Env: JAGA_KEY (API key), BENCH_DIR (this directory), BENCH_LABEL.
dofile((os.getenv("BENCH_DIR") or ".") .. "/report.lua")

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("tid", counter)
   table.insert(threads, thread)
end

function init(args)
   n = 0
   run = tostring(os.time())
   key = os.getenv("JAGA_KEY")
end

function request()
   n = n + 1
   local body = string.format(
      '{"full_name":"Dewi Bench %d %d","email":"bench.%s.%d.%d@example.co.id",' ..
      '"phone":"0812%08d","address":{"street":"Jl. Melati No. %d","city":"Jakarta Selatan",' ..
      '"province":"DKI Jakarta","postal_code":"12345"},"national_id":"317401120590%04d",' ..
      '"birth_date":"1990-05-12","preferences":{"skin":"oily"},"notes":"bench customer",' ..
      '"marketing_consent":true}',
      tid, n, run, tid, n, 10000000 + (n % 89999999), n % 1000, 1 + (n % 9999))
   return wrk.format("POST", "/v1/customers", {
      ["Authorization"] = "Bearer " .. key,
      ["Content-Type"] = "application/json",
   }, body)
end
