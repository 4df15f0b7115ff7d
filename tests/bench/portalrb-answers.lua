-- GET /portalrb/v1/lke/jawaban-unit/{unit_id} as PortalRB calls it (bearer token), over random proposed units of the
-- generated database (every fourth unit, i % 4 == 3, is proposed for 2026; its agency is i % 10). The admin key names
-- the agency, as a portalrb key's own agency would be. Every call is also written to the fetch log.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "seed.lua") -- a seed per thread and run
local units = tonumber(os.getenv("ZI_UNITS") or "1000")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("ZI_KEY")
request = function()
  local i = 4 * math.random(0, math.floor(units / 4) - 1) + 3
  return wrk.format("GET", string.format("/portalrb/v1/lke/jawaban-unit/00000000-0000-4000-8000-%012x?tahun=2026&agencyId=00000000-0000-4000-9000-%012x", i, i % 10))
end
