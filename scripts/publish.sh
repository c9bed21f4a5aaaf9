#!/usr/bin/env bash
# Publishes the product into artifacts/publish/scaler-cli (docs/cold-start.md says why it has two builds):
#   scaler-cli     the managed build, ReadyToRun: every sub-command; the one that runs users' code (processors,
#                  SOAM service instances, the Symphony worker manager);
#   scaler-native  the same program compiled ahead of time (Native AOT): the scheduler, object storage server, native
#                  workers and worker manager, launcher and scaler_top start without JIT and serve their first tasks
#                  at full speed; it hands the sub-commands that load code to scaler-cli next to it.
# The native build needs a C toolchain (clang or gcc, from Debian's packages); without one, or with --managed-only,
# only scaler-cli is published and bin/ runs it (slower first jobs, same results).
# Prints the directory's path as its last line.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

native=1
[ "${1:-}" = "--managed-only" ] && native=0
out="$root/artifacts/publish/scaler-cli"
rid=$(dotnet --info | awk '/^ *RID:/ { print $2; exit }')
rid=${rid:-linux-x64}

rm -f "$out/scaler-native"
dotnet publish src/Scaler.Cli/Scaler.Cli.csproj -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true \
    -o "$out" --nologo -v quiet >&2

linker=
for candidate in clang clang-19 clang-18 clang-17 clang-16 clang-15 clang-14 gcc; do
    if command -v "$candidate" >/dev/null 2>&1; then linker=$candidate; break; fi
done
if [ "$native" = 1 ] && [ -n "$linker" ] && [[ "$rid" == linux-* ]]; then
    staging="$root/artifacts/publish/scaler-native-staging"
    rm -rf "$staging"
    dotnet publish src/Scaler.Cli/Scaler.Cli.csproj -c Release -r "$rid" -p:ScalerNative=true -p:CppCompilerAndLinker="$linker" \
        -o "$staging" --nologo -v quiet >&2
    cp "$staging/scaler-cli" "$out/scaler-native"
    rm -rf "$staging"
elif [ "$native" = 1 ]; then
    echo "publish: no C toolchain (clang or gcc) for the native build; publishing the managed build only" >&2
fi
echo "$out"
