#!/usr/bin/env bash
# Load test of the compliance API on loopback (run on demand; results go to docs/benchmarks.md).
# For each size: migrate a fresh SQLite database, generate the units, start the API, and run wrk (32 connections, 20 s)
# against a unit's compliance (first right after start, then again), an agency's list page, PortalRB's jawaban-unit and the
# LKE workbook export, then a long mixed run after which the server's RSS is printed; the same wrk run against a bare
# Kestrel app gives the ceiling. ZI_MIXED_DURATION (default 5m) sets the mixed run. Units are picked at random with a
# seed per wrk thread and run (seed.lua); ZI_SEED=N repeats a run's picks.
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
  # No warm-up step: the first run starts the moment the server is ready, with an empty in-memory cache; documents come
  # from the stored rows (compliance_documents) the generator wrote with the service's own code.
  cold=$(measure -s "$root/tests/bench/unit-compliance.lua" "http://127.0.0.1:$port")
  unit=$(measure -s "$root/tests/bench/unit-compliance.lua" "http://127.0.0.1:$port")
  list=$(measure -s "$root/tests/bench/compliance-list.lua" "http://127.0.0.1:$port")
  # PortalRB's retries need jawaban-unit fast (p99 < 20 ms); each call also appends to the fetch log.
  portalrb=$(measure -s "$root/tests/bench/portalrb-answers.lua" "http://127.0.0.1:$port")
  workbook=$(measure -s "$root/tests/bench/workbook.lua" "http://127.0.0.1:$port")
  # The memory bound: resident set after a long mixed run with the default Cache:MaxMegabytes.
  mixed_duration=${ZI_MIXED_DURATION:-5m}
  mixed=$(duration=$mixed_duration measure -s "$root/tests/bench/mixed.lua" "http://127.0.0.1:$port")
  rss=$(awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$pid/status")
  peak=$(awk '/VmHWM/ {printf "%d", $2 / 1024}' "/proc/$pid/status")
  echo "  server RSS after $mixed_duration of mixed load at $units units: $rss MB (peak $peak MB)" >&2
  stop_api "$pid"
  for row in "GET /units/{id}/compliance, first $duration after start|$cold" "GET /units/{id}/compliance|$unit" "GET /compliance?agencyId&pageSize=50|$list" \
             "GET /portalrb/v1/lke/jawaban-unit/{id} (127 answers, logged)|$portalrb" "GET /assessments/{id}/workbook (.xlsx)|$workbook" "mixed 6:3:1, $mixed_duration (RSS after: $rss MB, peak $peak MB)|$mixed"; do
    IFS='|' read -r what rps p50 p99 <<<"$row"
    echo "| $what | $units | $rps | $p50 | $p99 | $(awk -v a="$rps" -v b="$bare_rps" 'BEGIN {printf "%.2f", a / b}') |"
  done
done
