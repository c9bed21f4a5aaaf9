#!/usr/bin/env bash
# Scaler.NET vs Dask benchmark suite, measured in one run on this machine (see docs/benchmarks.md).
# Usage: scripts/bench-suite.sh [--quick] [--no-dask] [--scale-tasks N]
# Starts an object storage server, a scheduler and a baremetal_native worker manager (2 workers) as processes of the
# published product (scripts/publish.sh) on 127.0.0.1, runs workloads 1-3, then workload 4 (workloads 1 and 2 through a second stack with the
# Symphony worker manager on the local SOAM engine, max-task-concurrency 2), 5 and 6 (3 runs after a warm-up,
# medians), runs workloads 1-3 on a Dask LocalCluster, prints one table and writes bench/results/suite.json and
# suite.md. Every process it starts is stopped when it ends. Figures are measurements, not assertions.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

args=()
dask=1
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) args+=(--quick) ;;
        --no-dask) dask=0 ;;
        --scale-tasks) args+=(--scale-tasks "$2"); shift ;;
        *) echo "usage: $0 [--quick] [--no-dask] [--scale-tasks N]" >&2; exit 2 ;;
    esac
    shift
done

if [ "$dask" = 1 ]; then
    # Debian's python3-distributed installs into the system interpreter, which may not be the first python3 on PATH.
    python=/usr/bin/python3
    [ -x "$python" ] || python=python3
    if ! "$python" -c 'import distributed' 2>/dev/null; then
        echo "bench-suite: installing python3-distributed (Dask) with apt-get"
        if [ "$(id -u)" = 0 ]; then apt-get install -y python3-distributed >/dev/null; else sudo apt-get install -y python3-distributed >/dev/null; fi
    fi
    args+=(--dask "$PWD/bench/dask_bench.py" --python "$python")
fi

dotnet build bench/Scaler.Benchmarks -c Release --nologo -v quiet >/dev/null
# The stacks are the published product, as bin/ runs it (the native build where it could be made; docs/cold-start.md).
publish=$(scripts/publish.sh | tail -n 1)
cli="$publish/scaler-cli"
[ -x "$publish/scaler-native" ] && cli="$publish/scaler-native"
args+=(--cli "$cli")
echo "load before: $(uptime)"
dotnet artifacts/bin/Scaler.Benchmarks/release/Scaler.Benchmarks.dll suite --out bench/results "${args[@]}"
echo "load after: $(uptime)"
