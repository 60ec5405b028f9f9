-- wrk: PATCH /api/v1/products/{id} with a new price (a real change, so an audit event each).
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init()
  math.randomseed(os.time() * 100 + tid)
end
request = function()
  local id = math.random(1, 100000)
  local body = string.format('{"price":"%d.%02d"}', math.random(1, 9999), math.random(0, 99))
  return wrk.format("PATCH", "/api/v1/products/" .. id, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")}, body)
end
