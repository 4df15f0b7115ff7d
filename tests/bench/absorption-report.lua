-- GET /api/v1/agencies/{id}/absorption for the generated agency: the whole ranking is computed per request; pages vary.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "seed.lua") -- a seed per thread and run
local units = tonumber(os.getenv("ZI_UNITS") or "5000")
local pages = math.max(1, math.floor(units / 50))
wrk.headers["X-Api-Key"] = os.getenv("ZI_KEY")
request = function()
  return wrk.format("GET", string.format("/api/v1/agencies/00000000-0000-4000-9000-000000000000/absorption?year=2026&month=8&pageSize=50&page=%d", math.random(1, pages)))
end
