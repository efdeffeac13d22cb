-- The catalog page rendered every time: an ignored parameter makes each request miss the
-- response cache (the cost after every change, and of every filter combination).
dofile("benches/load/common.lua")
local n = 0
function request()
  n = n + 1
  return wrk.format("GET", "/courses?sort=popularity&r=" .. n .. "-" .. math.random(1000000))
end
