#!/usr/bin/env bash
# A bounded chaos soak (docs/reliability.md): 200,000 tasks on a local stack while processors, workers, the worker
# manager and the scheduler are SIGKILLed at random (the manager and scheduler are started again, as an operator
# would), ports are flooded with connections and fuzzed frames are sent to every port. Prints tasks lost (must be 0),
# tasks run more than once, the peak RSS of each kind of process, and whether the stack serves again at the end.
# Usage: scripts/chaos.sh [--tasks N] [--batch N] [--workers N] [--minutes N] [--seed N]
# Exit code 0 when nothing was lost and the stack serves at the end. Every process it starts is stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build bench/Scaler.Benchmarks -c Release --nologo -v quiet >/dev/null
exec dotnet artifacts/bin/Scaler.Benchmarks/release/Scaler.Benchmarks.dll chaos --out bench/results "$@"
