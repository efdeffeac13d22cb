-- The bare axum yardstick (benches/load/bare.rs): `wrk ... -s bare.lua URL -- /json`.
dofile("benches/load/common.lua")
local path = "/json"
function init(args) path = args[1] or path end
function request() return wrk.format("GET", path) end
