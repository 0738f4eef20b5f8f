-- wrk script for issue-load.sh: POSTs the same order (CSR included) to /api/v1/orders and counts the answers
-- that are 201 with the order issued. wrk is written in C and uses far less CPU than a Node client, which
-- matters on a 2-core machine where the load generator and Signet share the cores.
--   SIGNET_KEY=sgk_… SIGNET_ORDER=order.json wrk -t2 -c32 -d10s -s issue-load.lua http://127.0.0.1:8080
local file = assert(io.open(os.getenv("SIGNET_ORDER"), "r"))
wrk.method = "POST"
wrk.path = "/api/v1/orders"
wrk.body = file:read("*a")
file:close()
wrk.headers["Authorization"] = "Bearer " .. os.getenv("SIGNET_KEY")
wrk.headers["Content-Type"] = "application/json"

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  issued, failed, shown = 0, 0, 0
end

function response(status, headers, body)
  if status == 201 and body:find('"status":"issued"', 1, true) then
    issued = issued + 1
  else
    failed = failed + 1
    if shown < 2 then
      shown = shown + 1
      io.stderr:write(status .. " " .. body:sub(1, 300) .. "\n")
    end
  end
end

function done(summary, latency, requests)
  local issued_all, failed_all = 0, 0
  for _, t in ipairs(threads) do
    issued_all = issued_all + t:get("issued")
    failed_all = failed_all + t:get("failed")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"issued":%d,"failed":%d,"seconds":"%.1f","per_second":"%.0f","p50_ms":"%.1f","p99_ms":"%.1f"}\n',
    issued_all, failed_all, seconds, issued_all / seconds, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000))
end
