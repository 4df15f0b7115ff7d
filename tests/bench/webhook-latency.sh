#!/usr/bin/env bash
# Webhook delivery latency under write load (run on demand; the target is p99 under 1 s at 200 writes/s): one unit, a
# webhook for its agency's pacts.recorded events to a receiver on loopback (webhook-receiver.py), then wrk paced to
# about ZI_RATE writes/s (16 connections, delay() per request) posting one new pact each for ZI_DURATION. The receiver
# measures each event from its time (the write's authentication, just before its commit) to its arrival.
# The API runs in the Testing environment only so that the loopback receiver is allowed (Production refuses loopback
# targets); everything else is as in load tests.
set -euo pipefail
rate=${ZI_RATE:-200}
duration=${ZI_DURATION:-30s}
key=zi_bench_admin_key_0123456789_abcdefghijklmnop
port=5099
receiver_port=5199
source "$(dirname "$0")/common.sh"

db="$work/zi-webhooks.db"
ASPNETCORE_ENVIRONMENT=Testing Logging__LogLevel__Default=Warning \
RateLimits__RequestsPerKey=2000000000 ConnectionStrings__ZonaIntegritas="Data Source=$db" Auth__BootstrapAdminKey=$key Evidence__StoragePath="$work/evidence" \
PortalRb__LinkSecret="bench_portalrb_link_secret_0123456789_abcdefgh" Webhooks__PollMilliseconds=${ZI_POLL_MS:-250} \
  dotnet "$api" --urls "http://127.0.0.1:$port" --contentRoot "$root/api" >"$work/api.log" 2>&1 &
pid=$!
wait_ready "http://127.0.0.1:$port/health/ready"
python3 "$root/tests/bench/webhook-receiver.py" "$receiver_port" >"$work/receiver.out" &
receiver=$!

post() { curl -fs -H "X-Api-Key: $key" -H 'Content-Type: application/json' -d "$2" "http://127.0.0.1:$port$1"; }
agency=$(post /api/v1/agencies '{"code":"BENCH-WH","name":"Kementerian Uji","kind":"kementerian"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
unit=$(post /api/v1/units "{\"agencyId\":\"$agency\",\"code\":\"U-1\",\"name\":\"Biro Umum\",\"kind\":\"biro\",\"providesPublicService\":true,\"employeeCount\":100000}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
post /api/v1/webhooks "{\"url\":\"http://127.0.0.1:$receiver_port/hook\",\"events\":[\"pacts.recorded\"],\"agencyId\":\"$agency\"}" >/dev/null

# Each of ZI_CONNECTIONS connections waits ZI_DELAY_MS after its write returns; a write under this load takes ~15 ms
# here (ZI_WRITE_MS), so that much less is waited. The rate reached is measured and printed, not assumed.
connections=${ZI_CONNECTIONS:-16}
export ZI_KEY=$key ZI_UNIT=$unit ZI_DELAY_MS=${ZI_DELAY_MS:-$((connections * 1000 / rate - ${ZI_WRITE_MS:-15}))}
out=$(wrk -t2 -c"$connections" -d"$duration" -s "$root/tests/bench/webhook-pacts.lua" "http://127.0.0.1:$port")
writes=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
sleep 5   # the last deliveries
kill -TERM $receiver; wait $receiver 2>/dev/null || true
IFS='|' read -r delivered p50 p99 max <"$work/receiver.out"
stop_api "$pid"
[ -z "${ZI_KEEP:-}" ] || echo "kept $work" >&2
echo "| Writes/s (pacts) | Events delivered | p50 | p99 | max |"
echo "|---:|---:|---:|---:|---:|"
echo "| $writes | $delivered | ${p50} s | ${p99} s | ${max} s |"
