#!/usr/bin/env bash
# Proves the OpenAPI document with real tools against a started server (issue 15):
#  1. lints the live document with @redocly/cli and @stoplight/spectral-cli (0 errors),
#  2. generates a C# client with Kiota and a TypeScript client with openapi-typescript (+ openapi-fetch, tsc --strict),
#  3. runs the end-to-end scenario through the generated C# client only (csharp/Program.cs),
#  4. runs every request of http-examples/ with httpyac; every assertion must pass.
# Tools are pinned (package.json + package-lock.json, .config/dotnet-tools.json) and installed once per run; npm
# installs while the server and the C# client build. Generated code goes to ignored folders and is never committed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }

step "install pinned tools"
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >"$work/npm.log" 2>&1) &
npm_pid=$!
dotnet tool restore >/dev/null
dotnet build api/ZonaIntegritas.Api.csproj -v q -nologo >/dev/null

step "start the server"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
ASPNETCORE_ENVIRONMENT=Development \
  ConnectionStrings__ZonaIntegritas="Data Source=$work/zi.db" \
  Evidence__StoragePath="$work/evidence" \
  dotnet api/bin/Debug/net10.0/ZonaIntegritas.Api.dll --urls "$base" --contentRoot "$root/api" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  curl -sf "$base/health/ready" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.5
done
curl -sf "$base/openapi/v1.json" -o "$work/openapi.json"
echo "document: $(wc -c <"$work/openapi.json") bytes from $base"

step "generate and build the C# client (Kiota)"
rm -rf "$here/csharp/Generated"
dotnet kiota generate -l CSharp -d "$work/openapi.json" -o "$here/csharp/Generated" -c ZonaIntegritasClient -n ZonaIntegritas.Client \
  --exclude-backward-compatible --ll Error -m "multipart/form-data;q=1" -m "application/json;q=0.9" -m "text/plain;q=0.5" >"$work/kiota.log" 2>&1 \
  || { cat "$work/kiota.log"; exit 1; }
dotnet build "$here/csharp" -v q -nologo

if ! wait "$npm_pid"; then cat "$work/npm.log"; exit 1; fi
bin="$here/node_modules/.bin"

step "lint the document"
"$bin/redocly" lint "$work/openapi.json" --config "$here/redocly.yaml" --format summary 2>&1 | grep -v -e '^ *║' -e '^ *╔' -e '^ *╚' || { echo "redocly found errors" >&2; exit 1; }
"$bin/spectral" lint "$work/openapi.json" --ruleset "$here/.spectral.yaml" --fail-severity error --display-only-failures

step "generate and type-check the TypeScript client"
rm -rf "$here/typescript/generated"
"$bin/openapi-typescript" "$work/openapi.json" -o "$here/typescript/generated/schema.d.ts" >/dev/null
"$bin/tsc" -p "$here/typescript/tsconfig.json"
echo "tsc --strict: clean"

step "end-to-end scenario through the generated C# client"
dotnet run --no-build --project "$here/csharp" -- "$base" zi_dev_admin_key_for_local_development_only "$root/http-examples/lke-top-answers.json"

step "http-examples with httpyac"
"$bin/httpyac" send "$root"/http-examples/*.http --all --bail --env ci --var "host=$base" --output short --output-failed exchange

step "done"
