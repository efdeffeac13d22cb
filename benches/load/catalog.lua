-- The catalog page (HTML, 20 courses with facets), as visitors see it.
dofile("benches/load/common.lua")
function request()
  return wrk.format("GET", "/courses")
end
