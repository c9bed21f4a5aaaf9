#!/usr/bin/env bash
# Prints the benchmark figures (codec, transport, object storage) for this machine.
# Usage: scripts/bench.sh [codec|transport|object-storage|all]   (default: all)
#        scripts/bench.sh symphony [count] [concurrency]   (Symphony path vs baremetal_native)
# Figures are measurements, not assertions: see docs/benchmarks.md for the targets.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build bench/Scaler.Benchmarks -c Release --nologo -v quiet >/dev/null
if [ $# -eq 0 ]; then set -- all; fi
exec dotnet artifacts/bin/Scaler.Benchmarks/release/Scaler.Benchmarks.dll "$@"
