-- wrk: POST /api/v1/products with a unique SKU per request (run id, thread, counter).
local run = os.getenv("BENCH_RUN") or tostring(os.time())
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local counter = 0
request = function()
  counter = counter + 1
  local body = '{"sku":"B' .. run .. '-' .. tid .. '-' .. counter .. '","name":"Bench product","price":"12.50",' ..
    '"category_id":' .. (os.getenv("BENCH_FIRST_CATEGORY") or "1") .. ',"attributes":{"color":"red","size":42},' ..
    '"translations":{"fr":{"name":"Produit de test"}}}'
  return wrk.format("POST", "/api/v1/products", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")}, body)
end
