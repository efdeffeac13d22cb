-- Searches that are each different: two words from course titles, one of them often with a
-- typo (two letters swapped, or one dropped), sometimes a filter or another order. None can be
-- answered from the response cache (a counter makes every URL new even when the words repeat):
-- what a search costs the server when nobody asked it before.
dofile("benches/load/common.lua")
local n = 0
local filters = { "", "", "", "&level=beginner", "&is_free=true", "&is_free=false&sort=avg_rating", "&sort=popularity", "&language=ru" }

function init(args)
  n = id * 7919
  math.randomseed(id * 104729 + os.time())
end

-- Letters, not bytes: Russian words are two bytes a letter.
local function letters(w)
  local t = {}
  for ch in w:gmatch("[%z\1-\127\194-\244][\128-\191]*") do t[#t + 1] = ch end
  return t
end

local function typo(w)
  local t = letters(w)
  if #t < 5 then return w end
  local i = math.random(2, #t - 1)
  if math.random() < 0.5 then
    t[i], t[i + 1] = t[i + 1], t[i]
  else
    table.remove(t, i)
  end
  return table.concat(t)
end

function request()
  n = n + 1
  local v = data.vocab
  local a, b = v[math.random(#v)], v[math.random(#v)]
  if math.random() < 0.6 then a = typo(a) end
  local q = a .. " " .. b
  return wrk.format("GET", "/api/v1/courses?q=" .. urlencode(q) .. filters[math.random(#filters)] .. "&u=" .. n .. "-" .. id)
end
