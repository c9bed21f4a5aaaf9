#!/usr/bin/env bash
# Builds the Cap'n Proto test vectors with the official tool, so our codec is checked against an independent
# encoder. Every tests/Scaler.Protocol.Tests/Vectors/<name>.txt is the text form of one message; `capnp encode`
# turns it into <name>.bin. The root type follows the name: object-request-* -> ObjectRequestHeader,
# object-response-* -> ObjectResponseHeader, everything else -> Message.
# Two vectors are generated here first:
#   large-list.txt      a TaskResult with 10,000 results (text committed);
#   large-data.bin      an InformationResponse holding 1 MiB, byte i = (7 * i + 3) mod 256 (only the .bin is
#                       committed: its text form would be 2 MiB of hex).
# Multi-segment input is not made here: `capnp encode` always writes one segment, so the tests re-lay official
# vectors into many segments with far and double-far pointers (see MultiSegment.cs) and check them with `capnp decode`.
set -euo pipefail
cd "$(dirname "$0")/.."

schema=src/Scaler.Protocol/Schema
vectors=tests/Scaler.Protocol.Tests/Vectors
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$vectors/large-list.txt" "$tmp/large-data.txt" <<'PY'
import sys
items = ", ".join('"item-%05d"' % i for i in range(10000))
with open(sys.argv[1], "w") as f:
    f.write('(taskResult = (taskId = "large-list", resultType = success, metadata = "", results = [%s]))\n' % items)
data = bytes((7 * i + 3) & 0xFF for i in range(1 << 20))
with open(sys.argv[2], "w") as f:
    f.write('(informationResponse = (response = 0x"%s"))\n' % data.hex())
PY

encode() {
    local text=$1 out=$2 name
    name=$(basename "$text" .txt)
    case "$name" in
        object-request-*) root=ObjectRequestHeader; file=object_storage.capnp ;;
        object-response-*) root=ObjectResponseHeader; file=object_storage.capnp ;;
        *) root=Message; file=message.capnp ;;
    esac
    capnp encode "$schema/$file" "$root" < "$text" > "$out"
}

for text in "$vectors"/*.txt; do
    encode "$text" "${text%.txt}.bin"
done
encode "$tmp/large-data.txt" "$vectors/large-data.bin"
echo "make-vectors: $(ls "$vectors"/*.bin | wc -l) vectors"
