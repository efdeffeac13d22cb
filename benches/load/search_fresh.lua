-- The same searches, each made unique (an ignored parameter) so none is answered from the
-- response cache: what the search itself costs over HTTP.
dofile("benches/load/common.lua")
local n = 0
function init(args) n = id * 7919 end
function request()
  n = n + 1
  return wrk.format("GET", "/api/v1/courses?q=" .. urlencode(data.words[(n % #data.words) + 1]) .. "&nocache=" .. n .. "-" .. id)
end
