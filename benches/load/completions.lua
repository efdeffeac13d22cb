-- Durable lesson completions: every request marks or unmarks a different (student, lesson)
-- pair, so each one is a real write that must be committed (fsync) before it is answered.
dofile("benches/load/common.lua")

local n = 0
function init(args)
  n = id * 1000003
end

function request()
  n = n + 1
  local p = data.pairs[(n % #data.pairs) + 1]
  local method = (math.floor(n / #data.pairs) % 2 == 0) and "POST" or "DELETE"
  return wrk.format(method, "/api/v1/lessons/" .. p[2] .. "/complete", { Authorization = "Bearer " .. p[1] })
end
