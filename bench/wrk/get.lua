-- One fixed GET: the path comes from $BENCH_PATH (query string already URL-encoded).
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

local path = os.getenv("BENCH_PATH")

function request()
  sent = sent + 1
  return wrk.format("GET", path)
end
