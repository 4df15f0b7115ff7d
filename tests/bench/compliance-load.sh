#!/usr/bin/env bash
# Load test of the compliance API on loopback (run on demand; results go to docs/benchmarks.md).
# For each size: migrate a fresh SQLite database, generate the units, start the API, and run wrk (32 connections, 20 s)
# against a unit's compliance and an agency's list page; the same wrk run against a bare Kestrel app gives the ceiling.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
sizes=${ZI_SIZES:-"1000 100000"}
duration=${ZI_DURATION:-20s}
key=zi_bench_admin_key_0123456789_abcdefghijklmnop
port=5097
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
dotnet build "$root/api" -c Release -v q --nologo >/dev/null
dotnet build "$root/tests/ZonaIntegritas.Benchmarks" -c Release -v q --nologo >/dev/null
api="$root/api/bin/Release/net10.0/ZonaIntegritas.Api.dll"
bench="$root/tests/ZonaIntegritas.Benchmarks/bin/Release/net10.0/ZonaIntegritas.Benchmarks.dll"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

# The API runs in a subshell's background, so "wait" cannot see it: stop it and wait until the port is free.
stop_api() { kill "$1" 2>/dev/null || true; for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 || return 0; sleep 0.2; done; }
wait_ready() { for _ in $(seq 100); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "server did not start" >&2; return 1; }
start_api() {
  ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
  RateLimits__RequestsPerKey=2000000000 ConnectionStrings__ZonaIntegritas="Data Source=$1" Auth__BootstrapAdminKey=$key Evidence__StoragePath="$work/evidence" \
    dotnet "$api" --urls "http://127.0.0.1:$port" >"$work/api.log" 2>&1 &
  echo $!
}
# wrk prints "Requests/sec: N" and, with --latency, a "50% …" and "99% …" line; print rps|p50|p99.
measure() {
  local out; out=$(wrk -t2 -c32 -d"$duration" --latency "$@")
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out")|$(awk '$1=="50%" {print $2}' <<<"$out")|$(awk '$1=="99%" {print $2}' <<<"$out")"
}

dotnet "$bench" bare "http://127.0.0.1:5096" >/dev/null 2>&1 &
bare_pid=$!
wait_ready "http://127.0.0.1:5096/"
bare=$(measure "http://127.0.0.1:5096/")
kill $bare_pid; wait $bare_pid 2>/dev/null || true
echo "| What | Units | Requests/s | p50 | p99 | Ratio to bare |"
echo "|---|---:|---:|---:|---:|---:|"
echo "| bare Kestrel, fixed JSON | — | ${bare%%|*} | $(cut -d'|' -f2 <<<"$bare") | $(cut -d'|' -f3 <<<"$bare") | 1.00 |"
bare_rps=${bare%%|*}
for units in $sizes; do
  db="$work/zi-$units.db"
  pid=$(start_api "$db"); wait_ready "http://127.0.0.1:$port/health/ready"; stop_api "$pid"
  dotnet "$bench" generate "$db" "$units" >&2
  pid=$(start_api "$db"); wait_ready "http://127.0.0.1:$port/health/ready"
  export ZI_KEY=$key ZI_UNITS=$units
  # Measured cold first (every document built from the database), then after one pass over every agency's pages has
  # filled the in-memory cache, which is how a long-running instance serves: documents change far less often than they are read.
  cold=$(measure -s "$root/tests/bench/unit-compliance.lua" "http://127.0.0.1:$port")
  started=$(date +%s)
  for agency in $(seq 0 9); do
    for page in $(seq 1 $(( (units / 10 + 199) / 200 ))); do
      printf 'http://127.0.0.1:%s/api/v1/compliance?agencyId=00000000-0000-4000-9000-%012x&pageSize=200&page=%s\n' "$port" "$agency" "$page"
    done
  done | xargs -P 2 -n 1 curl -fs -o /dev/null -H "X-Api-Key: $key"
  echo "  warm-up of $units documents: $(( $(date +%s) - started )) s" >&2
  unit=$(measure -s "$root/tests/bench/unit-compliance.lua" "http://127.0.0.1:$port")
  list=$(measure -s "$root/tests/bench/compliance-list.lua" "http://127.0.0.1:$port")
  stop_api "$pid"
  for row in "GET /units/{id}/compliance, first 20 s after start|$cold" "GET /units/{id}/compliance|$unit" "GET /compliance?agencyId&pageSize=50|$list"; do
    IFS='|' read -r what rps p50 p99 <<<"$row"
    echo "| $what | $units | $rps | $p50 | $p99 | $(awk -v a="$rps" -v b="$bare_rps" 'BEGIN {printf "%.2f", a / b}') |"
  done
done
