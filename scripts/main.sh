#!/usr/bin/env bash
# The main job: builds Scaler.NET, starts a local stack on 127.0.0.1 with the product's own launcher
# (bin/scaler stack.toml: object storage server + scheduler + the Symphony worker manager on the built-in local SOAM
# engine, as ../shared/spec/symphony-worker-manager.txt shows it with `type = "symphony"`),
# runs the QuickStart example against it (it prints the squares of 0..49), stops every process and exits 0.
# Needs only the .NET SDK. Any failure exits non-zero with the stack's log on stderr.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

scripts/setup.sh
dotnet build examples/QuickStart/QuickStart.csproj -c Release --nologo -v quiet >/dev/null
quickstart="$root/artifacts/bin/QuickStart/release/QuickStart.dll"

work=$(mktemp -d "${TMPDIR:-/tmp}/scaler-main-XXXXXX")
launcher=
stop_stack() {
    local status=$?
    if [ -n "$launcher" ] && kill -0 "$launcher" 2>/dev/null; then
        kill -TERM "$launcher" 2>/dev/null || true
        # The launcher stops its children within its 10 s grace period; give it a little more, then kill.
        for _ in $(seq 1 150); do kill -0 "$launcher" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$launcher" 2>/dev/null; then
            echo "main: the launcher did not stop; killing it" >&2
            pkill -KILL -P "$launcher" 2>/dev/null || true
            kill -KILL "$launcher" 2>/dev/null || true
        fi
        wait "$launcher" 2>/dev/null || true
    fi
    if [ "$status" -ne 0 ] && [ -f "$work/stack.log" ]; then
        echo "main: failed; the stack's log follows" >&2
        cat "$work/stack.log" >&2
    fi
    rm -rf "$work"
    exit "$status"
}
trap stop_stack EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Three consecutive free ports: scheduler P, object storage P+1, monitor P+2 (nothing answers a connect on them).
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=
for _ in $(seq 1 50); do
    candidate=$((20000 + RANDOM % 40000))
    if ! port_in_use "$candidate" && ! port_in_use $((candidate + 1)) && ! port_in_use $((candidate + 2)); then
        port=$candidate
        break
    fi
done
[ -n "$port" ] || { echo "main: no free ports found on 127.0.0.1" >&2; exit 1; }
scheduler="tcp://127.0.0.1:$port"

cat > "$work/stack.toml" <<TOML
[object_storage_server]
bind_address = "tcp://127.0.0.1:$((port + 1))"

[scheduler]
bind_address = "$scheduler"
object_storage_address = "tcp://127.0.0.1:$((port + 1))"
monitor_address = "tcp://127.0.0.1:$((port + 2))"
policy_content = "allocate=even_load; scaling=vanilla"

[[worker_manager]]
type = "symphony"
scheduler_address = "$scheduler"
worker_manager_id = "wm-symphony"
service_name = "MyScalerService"
max_task_concurrency = 2
soam_backend = "local"
logging_level = "INFO"
TOML

echo "main: starting the stack (bin/scaler $work/stack.toml), scheduler at $scheduler" >&2
bin/scaler "$work/stack.toml" >"$work/stack.log" 2>&1 &
launcher=$!

# Wait (at most 60 s) until the scheduler listens; stop early if the launcher gave up.
for _ in $(seq 1 600); do
    grep -q "scheduler listening on" "$work/stack.log" 2>/dev/null && break
    kill -0 "$launcher" 2>/dev/null || { echo "main: the launcher exited early" >&2; exit 1; }
    sleep 0.1
done
grep -q "scheduler listening on" "$work/stack.log" || { echo "main: the scheduler did not start within 60 s" >&2; exit 1; }

echo "main: running the quick start against $scheduler" >&2
timeout 120 dotnet "$quickstart" "$scheduler"
echo "main: done; stopping the stack" >&2
