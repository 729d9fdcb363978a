-- Sends pre-signed requests from a file, in order, so the load generator does no crypto.
-- File format: for each request, its byte length on a line of its own, then the raw HTTP request.
-- args: <requests file>. For a fixed rate, bench/wrk.ts appends a `delay` function to this script.
-- At the end it prints one line, "WRK_JSON {...}", that bench/wrk.ts parses.
local file, path
wraps = 0

function init(args)
  path = args[1]
  file = assert(io.open(path, "rb"))
end

function request()
  local header = file:read("*l")
  if header == nil then
    -- The file ran out: start again (these repeats are duplicates, counted and reported).
    wraps = wraps + 1
    file:seek("set", 0)
    header = file:read("*l")
  end
  return file:read(tonumber(header))
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local wrapped = 0
  for _, thread in ipairs(threads) do
    wrapped = wrapped + (thread:get("wraps") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"status_errors":%d,"connect_errors":%d,' ..
      '"read_errors":%d,"write_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
      '"max_us":%d,"wraps":%d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, wrapped))
end
