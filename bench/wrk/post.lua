-- POST requests.json, form-encoded. $BENCH_BODIES is a Lua file returning a list of
-- prepared bodies (api_key, service_code, lat/long, attribute[...] answers). Every request
-- gets a unique Idempotency-Key "bench-<run>-<thread>-<n>-<body index>" and carries the key
-- in its description, so the harness can find the rows it created, spot duplicates and
-- rebuild any request to send it again. The service_request_id of every 2xx reply is kept,
-- so the harness can check that each acknowledged request exists.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

acked = {}

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status >= 200 and status < 300 then
    local id = string.match(body or "", '"service_request_id"%s*:%s*"?([^",}%s]+)')
    table.insert(acked, id or "?")
  end
end

local path = os.getenv("BENCH_PATH")
local run = os.getenv("BENCH_RUN")
local bodies = dofile(os.getenv("BENCH_BODIES"))

function request()
  sent = sent + 1
  local index = ((sent - 1) * 7 + (thread_id or 1) * 101) % #bodies + 1
  local key = string.format("bench-%s-%d-%d-%d", run, thread_id or 1, sent, index)
  local body = bodies[index] .. "&description=Benchmark+report+" .. key
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8",
    ["Idempotency-Key"] = key,
  }, body)
end
