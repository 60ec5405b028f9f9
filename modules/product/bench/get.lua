-- wrk: GET /api/v1/products/{random id}?lang=fr (the seeded ids are 1..100000).
local headers = {["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")}
request = function()
  return wrk.format("GET", "/api/v1/products/" .. math.random(1, 100000) .. "?lang=fr", headers)
end
