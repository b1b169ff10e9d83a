-- Shared by the Open311 benchmark scripts (bench/open311.py runs them; see its docstring).
-- Each wrk thread counts the statuses it receives and the requests it sends; done() adds
-- them up and writes one JSON object to $BENCH_RESULT.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

statuses = {}
sent = 0

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

local function json_number(value)
  if value ~= value or value == nil then
    return "null"
  end
  return string.format("%.3f", value)
end

function done(summary, latency, requests)
  local by_status, total_sent, ok = {}, 0, 0
  for _, thread in ipairs(threads) do
    total_sent = total_sent + (thread:get("sent") or 0)
    for code, n in pairs(thread:get("statuses") or {}) do
      by_status[code] = (by_status[code] or 0) + n
      if code >= 200 and code < 300 then
        ok = ok + n
      end
    end
  end
  local parts = {}
  for code, n in pairs(by_status) do
    table.insert(parts, string.format('"%d": %d', code, n))
  end
  local e = summary.errors
  local percentiles = {}
  for _, p in ipairs({ 50, 90, 95, 99, 99.9 }) do
    table.insert(percentiles, string.format('"p%s": %d', tostring(p), latency:percentile(p)))
  end
  -- post.lua keeps the service_request_id of every 2xx reply: write them one a line.
  local acked = nil
  for _, thread in ipairs(threads) do
    local ids = thread:get("acked")
    if ids then
      acked = acked or io.open(os.getenv("BENCH_RESULT") .. ".acked", "w")
      for _, id in ipairs(ids) do
        acked:write(id, "\n")
      end
    end
  end
  if acked then
    acked:close()
  end
  local out = io.open(os.getenv("BENCH_RESULT"), "w")
  out:write(string.format(
    '{"requests": %d, "sent": %d, "duration_s": %s, "status_2xx": %d, "statuses": {%s}, '
      .. '"errors": %d, "error_detail": {"connect": %d, "read": %d, "write": %d, '
      .. '"timeout": %d, "status": %d}, "latency_us": {%s, "mean": %s, "max": %d}}\n',
    summary.requests, total_sent, json_number(summary.duration / 1e6), ok,
    table.concat(parts, ", "),
    e.connect + e.read + e.write + e.timeout, e.connect, e.read, e.write, e.timeout, e.status,
    table.concat(percentiles, ", "), json_number(latency.mean), latency.max
  ))
  out:close()
end
