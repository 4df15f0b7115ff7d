# Shared by the load scripts (sourced, not run): builds in Release, installs wrk if missing, and starts, measures and
# stops the API and the bare ceiling on loopback. Expects $port, $duration and $key to be set by the caller.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
dotnet build "$root/api" -c Release -v q --nologo >/dev/null
dotnet build "$root/tests/ZonaIntegritas.Benchmarks" -c Release -v q --nologo >/dev/null
api="$root/api/bin/Release/net10.0/ZonaIntegritas.Api.dll"
bench="$root/tests/ZonaIntegritas.Benchmarks/bin/Release/net10.0/ZonaIntegritas.Benchmarks.dll"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -n "${ZI_KEEP:-}" ] || rm -rf "$work"' EXIT

# The API runs in a subshell's background, so "wait" cannot see it: stop it and wait until the port is free.
stop_api() { kill "$1" 2>/dev/null || true; for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 || return 0; sleep 0.2; done; }
wait_ready() { for _ in $(seq 100); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "server did not start" >&2; return 1; }
# Production settings, the per-key rate limit lifted (one key drives all the load).
start_api() {
  ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
  RateLimits__RequestsPerKey=2000000000 ConnectionStrings__ZonaIntegritas="Data Source=$1" Auth__BootstrapAdminKey=$key Evidence__StoragePath="$work/evidence" \
  PortalRb__LinkSecret="bench_portalrb_link_secret_0123456789_abcdefgh" \
    dotnet "$api" --urls "http://127.0.0.1:$port" >"$work/api.log" 2>&1 &
  echo $!
}
# wrk prints "Requests/sec: N" and, with --latency, a "50% …" and "99% …" line; print rps|p50|p99.
measure() {
  local out; out=$(wrk -t2 -c32 -d"$duration" --latency "$@")
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out")|$(awk '$1=="50%" {print $2}' <<<"$out")|$(awk '$1=="99%" {print $2}' <<<"$out")"
}
# The ceiling: a bare Kestrel app answering a fixed JSON document, measured in the same run; prints rps|p50|p99.
measure_bare() {
  dotnet "$bench" bare "http://127.0.0.1:5096" >/dev/null 2>&1 &
  local pid=$!
  wait_ready "http://127.0.0.1:5096/" >&2
  measure "http://127.0.0.1:5096/"
  kill $pid; wait $pid 2>/dev/null || true
}
