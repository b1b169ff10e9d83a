-- GET one request by id, the ids in rotation: $BENCH_IDS is a Lua file returning a list of
-- service_request_ids; each thread starts at its own offset. $BENCH_PATH is the prefix
-- ("/open311/v2/requests/"), ".json" is appended.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

local prefix = os.getenv("BENCH_PATH")
local ids = dofile(os.getenv("BENCH_IDS"))
local position = 0

function init(args)
  position = ((thread_id or 1) - 1) * math.floor(#ids / 2)
end

function request()
  sent = sent + 1
  position = position % #ids + 1
  return wrk.format("GET", prefix .. ids[position] .. ".json")
end
