#!/usr/bin/env bash
# The main job: builds Scaler.NET and runs a local stack on 127.0.0.1.
# (Until the scheduler lands, this starts the object storage server and checks it answers.)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup.sh
echo "main: the stack is not built yet; bin/ holds what exists" >&2
