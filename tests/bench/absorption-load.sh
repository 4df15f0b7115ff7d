#!/usr/bin/env bash
# Load test of the absorption report (run on demand; results go to docs/benchmarks.md): one agency of ZI_UNITS units
# (default 5000) with budgets and eight months of realisation, then wrk (32 connections, ZI_DURATION) against random
# pages of GET /agencies/{id}/absorption. Compare with the compliance-list row of compliance-load.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
units=${ZI_UNITS:-5000}
duration=${ZI_DURATION:-20s}
key=zi_bench_admin_key_0123456789_abcdefghijklmnop
port=5098
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
dotnet build "$root/api" -c Release -v q --nologo >/dev/null
dotnet build "$root/tests/ZonaIntegritas.Benchmarks" -c Release -v q --nologo >/dev/null
api="$root/api/bin/Release/net10.0/ZonaIntegritas.Api.dll"
bench="$root/tests/ZonaIntegritas.Benchmarks/bin/Release/net10.0/ZonaIntegritas.Benchmarks.dll"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

wait_ready() { for _ in $(seq 100); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "server did not start" >&2; return 1; }
stop_api() { kill "$1" 2>/dev/null || true; for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 || return 0; sleep 0.2; done; }
start_api() {
  ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning RateLimits__RequestsPerKey=2000000000 \
  ConnectionStrings__ZonaIntegritas="Data Source=$1" Auth__BootstrapAdminKey=$key Evidence__StoragePath="$work/evidence" \
    dotnet "$api" --urls "http://127.0.0.1:$port" >"$work/api.log" 2>&1 &
  echo $!
}

# The ceiling, measured in the same run: a bare Kestrel app answering a fixed JSON document.
dotnet "$bench" bare "http://127.0.0.1:5096" >/dev/null 2>&1 &
bare_pid=$!
wait_ready "http://127.0.0.1:5096/"
bare=$(wrk -t2 -c32 -d"$duration" --latency "http://127.0.0.1:5096/")
kill $bare_pid; wait $bare_pid 2>/dev/null || true
bare_rps=$(awk '/Requests\/sec/ {print $2}' <<<"$bare")

db="$work/zi-absorption.db"
pid=$(start_api "$db"); wait_ready "http://127.0.0.1:$port/health/ready"; stop_api "$pid"
dotnet "$bench" generate-absorption "$db" "$units" >&2
pid=$(start_api "$db"); wait_ready "http://127.0.0.1:$port/health/ready"
curl -fs -o /dev/null -H "X-Api-Key: $key" "http://127.0.0.1:$port/api/v1/agencies/00000000-0000-4000-9000-000000000000/absorption?year=2026&month=8"
export ZI_KEY=$key ZI_UNITS=$units
out=$(wrk -t2 -c32 -d"$duration" --latency -s "$root/tests/bench/absorption-report.lua" "http://127.0.0.1:$port")
stop_api "$pid"
rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
echo "| What | Units in the agency | Requests/s | p50 | p99 | Ratio to bare |"
echo "|---|---:|---:|---:|---:|---:|"
echo "| bare Kestrel, fixed JSON | — | $bare_rps | $(awk '$1=="50%" {print $2}' <<<"$bare") | $(awk '$1=="99%" {print $2}' <<<"$bare") | 1.00 |"
echo "| \`GET /agencies/{id}/absorption?pageSize=50\` | $units | $rps | $(awk '$1=="50%" {print $2}' <<<"$out") | $(awk '$1=="99%" {print $2}' <<<"$out") | $(awk -v a="$rps" -v b="$bare_rps" 'BEGIN {printf "%.2f", a / b}') |"
