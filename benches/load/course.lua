-- Course detail JSON (cached course records), spread over 64 courses.
dofile("benches/load/common.lua")
local n = 0
function init(args) n = id * 7919 end
function request()
  n = n + 1
  return wrk.format("GET", "/api/v1/courses/" .. data.course_ids[(n % #data.course_ids) + 1])
end
