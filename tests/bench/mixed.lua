-- Mixed read load for the memory bound: 6 in 10 requests a unit's compliance, 3 an agency list page (any of the ten
-- agencies), 1 PortalRB's jawaban-unit, all over random units, so that every document is wanted in turn.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "seed.lua") -- a seed per thread and run
local units = tonumber(os.getenv("ZI_UNITS") or "1000")
local pages = math.max(1, math.floor(units / 10 / 50))
local key = os.getenv("ZI_KEY")
request = function()
  local pick = math.random(1, 10)
  if pick <= 6 then
    return wrk.format("GET", string.format("/api/v1/units/00000000-0000-4000-8000-%012x/compliance", math.random(0, units - 1)), { ["X-Api-Key"] = key })
  elseif pick <= 9 then
    return wrk.format("GET", string.format("/api/v1/compliance?agencyId=00000000-0000-4000-9000-%012x&pageSize=50&page=%d", math.random(0, 9), math.random(1, pages)), { ["X-Api-Key"] = key })
  end
  local i = 4 * math.random(0, math.floor(units / 4) - 1) + 3
  return wrk.format("GET", string.format("/portalrb/v1/lke/jawaban-unit/00000000-0000-4000-8000-%012x?tahun=2026&agencyId=00000000-0000-4000-9000-%012x", i, i % 10),
    { ["Authorization"] = "Bearer " .. key })
end
