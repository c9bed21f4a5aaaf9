#!/usr/bin/env bash
# The whole test suite. README.md documents this command and .ci/run calls exactly it.
# Builds in Release, runs every test project, and ends with one line: "tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# The native build's end-to-end tests (NativeBuildTests) run the published product.
native="$(scripts/publish.sh | tail -n 1)/scaler-native"
[ -x "$native" ] || { echo "test.sh: the native build was not made ($native); see scripts/publish.sh" >&2; exit 1; }
export SCALER_NATIVE_BUILD="$native"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test Scaler.slnx -c Release 2>&1 | tee "$log" || status=$?

# Sum the per-assembly summaries that `dotnet test` prints ("Passed!  - Failed: 0, Passed: 12, Skipped: 0, ...").
read -r passed failed skipped < <(awk '
    /(Passed|Failed)!  - Failed:/ {
        gsub(",", "");
        for (i = 1; i <= NF; i++) {
            if ($i == "Failed:")  f += $(i + 1);
            if ($i == "Passed:")  p += $(i + 1);
            if ($i == "Skipped:") s += $(i + 1);
        }
    }
    END { printf "%d %d %d\n", p, f, s }' "$log")

echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then exit 1; fi
if [ "$passed" -eq 0 ]; then echo "test.sh: no test ran" >&2; exit 1; fi
