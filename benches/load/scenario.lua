-- The original's scenario: people browsing the catalog, searching, opening courses, reading
-- lessons, completing lessons and signing in, mixed per request:
--   25% catalog page (HTML)     15% search API (two words, fuzzy)   20% course page (HTML)
--   10% course detail (JSON)    15% lesson (JSON, signed in)        10% lesson completion
--    5% my enrollments (JSON), and 1 request in 1,000 a sign-in (argon2id): each simulated
--   person signs in once per session of about a thousand requests.
--
-- LOAD_SIGNIN_EVERY=N signs in once per N requests instead (0: never), to see what the rest of
-- the mix costs without the password hashing.
dofile("benches/load/common.lua")

local n = 0
local signin_every = tonumber(os.getenv("LOAD_SIGNIN_EVERY") or "1000")
function init(args)
  n = id * 100003
end

local function pick(t) return t[(n % #t) + 1] end

function request()
  n = n + 1
  if signin_every > 0 and n % signin_every == 0 then
    local k = n % 256
    return wrk.format("POST", "/api/v1/auth/login", { ["Content-Type"] = "application/json" },
      string.format('{"email":"student%d@seed.lectern.test","password":"%s"}', k, data.password))
  end
  local r = n % 100
  if r < 25 then
    return wrk.format("GET", "/courses?sort=popularity")
  elseif r < 40 then
    return wrk.format("GET", "/api/v1/courses?q=" .. urlencode(pick(data.words)))
  elseif r < 60 then
    return wrk.format("GET", "/courses/" .. pick(data.slugs))
  elseif r < 70 then
    return wrk.format("GET", "/api/v1/courses/" .. pick(data.course_ids))
  elseif r < 85 then
    local p = pick(data.lessons)
    return wrk.format("GET", "/api/v1/lessons/" .. p[2], { Authorization = "Bearer " .. p[1] })
  elseif r < 95 then
    local p = pick(data.pairs)
    local method = (math.floor(n / 100) % 2 == 0) and "POST" or "DELETE"
    return wrk.format(method, "/api/v1/lessons/" .. p[2] .. "/complete", { Authorization = "Bearer " .. p[1] })
  elseif r < 100 then
    return wrk.format("GET", "/api/v1/me/enrollments", { Authorization = "Bearer " .. pick(data.tokens) })
  end
end
