-- wrk: GET /api/v1/products/{random id} (the seeded ids are 1..100000).
request = function()
  return wrk.format("GET", "/api/v1/products/" .. math.random(1, 100000))
end
