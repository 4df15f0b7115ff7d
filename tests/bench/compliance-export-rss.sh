#!/usr/bin/env bash
# Server RSS growth while GET /api/v1/compliance/export streams every unit of a generated 100k-unit database as .xlsx
# (target < 64 MB; run on demand on a quiet machine, results to docs/benchmarks.md). ZI_UNITS overrides the unit count.
# tests/bench/xlsx-stream-rss.sh measures the .xlsx writer alone, without the server.
set -euo pipefail
units=${ZI_UNITS:-100000}
key=zi_bench_admin_key_0123456789_abcdefghijklmnop
port=${ZI_PORT:-5098}
duration=1s
source "$(dirname "$0")/common.sh"

db="$work/zi-$units.db"
pid=$(start_api "$db"); wait_ready "http://127.0.0.1:$port/health/ready"; stop_api "$pid"
dotnet "$bench" generate "$db" "$units" >&2
pid=$(start_api "$db"); wait_ready "http://127.0.0.1:$port/health/ready"
# Warm the process (JIT, pools) with a small export first, so the growth measured is the big export's own.
curl -fs -o /dev/null -H "X-Api-Key: $key" "http://127.0.0.1:$port/api/v1/compliance/export?agencyId=00000000-0000-4000-9000-000000000000"
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
before=$(rss "$pid"); peak=$before
curl -fs -o "$work/export.xlsx" -H "X-Api-Key: $key" "http://127.0.0.1:$port/api/v1/compliance/export" &
curl_pid=$!
while kill -0 "$curl_pid" 2>/dev/null; do now=$(rss "$pid"); (( now > peak )) && peak=$now; sleep 0.2; done
wait "$curl_pid"
stop_api "$pid"
echo "| GET /compliance/export (.xlsx) | $units units | $(( $(stat -c %s "$work/export.xlsx") / 1024 / 1024 )) MB | RSS growth $(( (peak - before) / 1024 )) MB (target < 64 MB) |"
