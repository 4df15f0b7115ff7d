-- POST one new integrity pact per request to the unit in ZI_UNIT, paced by delay() (connections × 1000 / ZI_DELAY_MS ≈ writes/s).
-- Each thread numbers its NIPs from its own range, so every pact is new and every request commits a write.
local counter = 0
local threads = 0
wrk.method = "POST"
wrk.headers["X-Api-Key"] = os.getenv("ZI_KEY")
wrk.headers["Content-Type"] = "application/json"

-- setup runs in the main state; thread:set makes "base" a global of that thread's own state.
function setup(thread)
  thread:set("base", threads * 100000)
  threads = threads + 1
end

local function nip(n)
  local seq = n % 999 + 1
  local gender = math.floor(n / 999) % 2 + 1
  local day = math.floor(n / 1998)
  local born = os.time({ year = 1975, month = 1, day = 1 + day, hour = 12 })
  local year = tonumber(os.date("%Y", born))
  return string.format("%s%04d%s%d%03d", os.date("%Y%m%d", born), year + 25, os.date("%m", born), gender, seq)
end

function delay()
  return tonumber(os.getenv("ZI_DELAY_MS") or "20")
end

function request()
  counter = counter + 1
  local body = string.format('{"nip":"%s","name":"Pegawai","position":"Analis","role":"pegawai","occasion":"tahunan","signedOn":"2026-01-10"}', nip(base + counter))
  return wrk.format(nil, "/api/v1/units/" .. os.getenv("ZI_UNIT") .. "/integrity-pacts", nil, body)
end
