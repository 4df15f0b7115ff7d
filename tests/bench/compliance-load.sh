#!/usr/bin/env bash
# Load test of the compliance API on loopback (run on demand; results go to docs/benchmarks.md).
# For each size: migrate a fresh SQLite database, generate the units, start the API, and run wrk (32 connections, 20 s)
# against a unit's compliance, an agency's list page and PortalRB's jawaban-unit; the same wrk run against a bare Kestrel app gives the ceiling.
set -euo pipefail
sizes=${ZI_SIZES:-"1000 100000"}
duration=${ZI_DURATION:-20s}
key=zi_bench_admin_key_0123456789_abcdefghijklmnop
port=${ZI_PORT:-5097}
source "$(dirname "$0")/common.sh"

bare=$(measure_bare)
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
  # PortalRB's retries need jawaban-unit fast on a warm server (p99 < 20 ms); each call also appends to the fetch log.
  portalrb=$(measure -s "$root/tests/bench/portalrb-answers.lua" "http://127.0.0.1:$port")
  stop_api "$pid"
  for row in "GET /units/{id}/compliance, first $duration after start|$cold" "GET /units/{id}/compliance|$unit" "GET /compliance?agencyId&pageSize=50|$list" \
             "GET /portalrb/v1/lke/jawaban-unit/{id} (127 answers, logged)|$portalrb"; do
    IFS='|' read -r what rps p50 p99 <<<"$row"
    echo "| $what | $units | $rps | $p50 | $p99 | $(awk -v a="$rps" -v b="$bare_rps" 'BEGIN {printf "%.2f", a / b}') |"
  done
done
