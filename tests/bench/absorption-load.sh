#!/usr/bin/env bash
# Load test of the absorption report (run on demand; results go to docs/benchmarks.md): one agency of ZI_UNITS units
# (default 5000) with budgets and eight months of realisation, then wrk (32 connections, ZI_DURATION) against random
# pages of GET /agencies/{id}/absorption. Compare with the compliance-list row of compliance-load.sh.
set -euo pipefail
units=${ZI_UNITS:-5000}
duration=${ZI_DURATION:-20s}
key=zi_bench_admin_key_0123456789_abcdefghijklmnop
port=5098
source "$(dirname "$0")/common.sh"

bare=$(measure_bare)
bare_rps=${bare%%|*}

db="$work/zi-absorption.db"
pid=$(start_api "$db"); wait_ready "http://127.0.0.1:$port/health/ready"; stop_api "$pid"
dotnet "$bench" generate-absorption "$db" "$units" >&2
pid=$(start_api "$db"); wait_ready "http://127.0.0.1:$port/health/ready"
curl -fs -o /dev/null -H "X-Api-Key: $key" "http://127.0.0.1:$port/api/v1/agencies/00000000-0000-4000-9000-000000000000/absorption?year=2026&month=8"
export ZI_KEY=$key ZI_UNITS=$units
report=$(measure -s "$root/tests/bench/absorption-report.lua" "http://127.0.0.1:$port")
stop_api "$pid"
IFS='|' read -r rps p50 p99 <<<"$report"
echo "| What | Units in the agency | Requests/s | p50 | p99 | Ratio to bare |"
echo "|---|---:|---:|---:|---:|---:|"
echo "| bare Kestrel, fixed JSON | — | $bare_rps | $(cut -d'|' -f2 <<<"$bare") | $(cut -d'|' -f3 <<<"$bare") | 1.00 |"
echo "| \`GET /agencies/{id}/absorption?pageSize=50\` | $units | $rps | $p50 | $p99 | $(awk -v a="$rps" -v b="$bare_rps" 'BEGIN {printf "%.2f", a / b}') |"
