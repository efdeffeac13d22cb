-- Two-word fuzzy searches (with typos) over the seeded catalog, through the JSON API.
dofile("benches/load/common.lua")
local n = 0
function init(args) n = id * 7919 end
function request()
  n = n + 1
  return wrk.format("GET", "/api/v1/courses?q=" .. urlencode(data.words[(n % #data.words) + 1]))
end
