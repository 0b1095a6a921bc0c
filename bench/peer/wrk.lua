-- wrk's script for bench/peer.py: POSTs the JSON bodies of a file (one a line, the first
-- argument after `--`) in turn, counts answers that are not 200 or carry GraphQL "errors",
-- and prints one JSON line at the end: latency percentiles (microseconds), requests, seconds.
local bodies = {}
local next_body = 0
bad = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    bodies[#bodies + 1] = line
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  next_body = next_body % #bodies + 1
  return wrk.format(nil, "/graphql", nil, bodies[next_body])
end

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  for _, thread in ipairs(threads) do
    errors = errors + thread:get("bad")
  end
  io.write(string.format(
    '{"p50": %d, "p99": %d, "requests": %d, "seconds": %.3f, "errors": %d}\n',
    latency:percentile(50), latency:percentile(99), summary.requests,
    summary.duration / 1e6, errors))
end
