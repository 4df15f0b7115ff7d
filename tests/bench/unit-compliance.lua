-- GET /api/v1/units/{id}/compliance over random units of the generated database.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "seed.lua") -- a seed per thread and run
local units = tonumber(os.getenv("ZI_UNITS") or "1000")
wrk.headers["X-Api-Key"] = os.getenv("ZI_KEY")
request = function()
  local i = math.random(0, units - 1)
  return wrk.format("GET", string.format("/api/v1/units/00000000-0000-4000-8000-%012x/compliance", i))
end
