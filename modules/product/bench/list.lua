-- wrk: the first page of 50 products of a random category, in French, categories embedded.
local first_category = tonumber(os.getenv("BENCH_FIRST_CATEGORY") or "1")
local headers = {["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")}
request = function()
  return wrk.format("GET", "/api/v1/products?limit=50&lang=fr&category_id=" .. (first_category + math.random(0, 99)), headers)
end
