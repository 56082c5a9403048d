-- wrk script: GET /healthz (no database, no authentication): the HTTP/TLS stack alone, the
-- baseline the audited requests are measured against. Env: BENCH_DIR, BENCH_LABEL.
dofile((os.getenv("BENCH_DIR") or ".") .. "/report.lua")

function request()
   return wrk.format("GET", "/healthz")
end
