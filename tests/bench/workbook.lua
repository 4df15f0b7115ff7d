-- GET /api/v1/assessments/{id}/workbook (the LKE workbook, .xlsx with live formulas) over random assessments of the
-- generated database (assessment i is 00000000-0000-4000-c000-{i:x12}).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "seed.lua") -- a seed per thread and run
local units = tonumber(os.getenv("ZI_UNITS") or "1000")
wrk.headers["X-Api-Key"] = os.getenv("ZI_KEY")
wrk.headers["Accept"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
request = function()
  return wrk.format("GET", string.format("/api/v1/assessments/00000000-0000-4000-c000-%012x/workbook", math.random(0, units - 1)))
end
