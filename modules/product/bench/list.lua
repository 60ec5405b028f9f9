-- wrk: the first page of 50 products of a random category, in French, categories embedded.
local first_category = tonumber(os.getenv("BENCH_FIRST_CATEGORY") or "1")
request = function()
  return wrk.format("GET", "/api/v1/products?limit=50&lang=fr&category_id=" .. (first_category + math.random(0, 99)))
end
