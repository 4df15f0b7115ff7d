-- GET /api/v1/compliance?agencyId=…&pageSize=50 over random pages of one agency.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "seed.lua") -- a seed per thread and run
local units = tonumber(os.getenv("ZI_UNITS") or "1000")
local pages = math.max(1, math.floor(units / 10 / 50))
wrk.headers["X-Api-Key"] = os.getenv("ZI_KEY")
request = function()
  return wrk.format("GET", string.format("/api/v1/compliance?agencyId=00000000-0000-4000-9000-%012x&pageSize=50&page=%d", 0, math.random(1, pages)))
end
