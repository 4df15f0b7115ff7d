#!/usr/bin/env bash
# RSS growth while the .xlsx list writer streams a 100k-row compliance-shaped export (target < 64 MB). Run on demand,
# on a quiet machine; results go to docs/benchmarks.md. ZI_ROWS overrides the row count.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dotnet build "$root/tests/ZonaIntegritas.Benchmarks" -c Release -v q >&2
dotnet "$root/tests/ZonaIntegritas.Benchmarks/bin/Release/net10.0/ZonaIntegritas.Benchmarks.dll" xlsx-rss "${ZI_ROWS:-100000}"
