#!/usr/bin/env bash
# Regenerates the Cap'n Proto layout files and the C# message types from our schema.
#   1. `capnp compile -ocapnp` prints each schema with the exact wire layout of every field; the output is committed
#      as src/Scaler.Protocol/Schema/Layout/<name>.layout.txt (so a normal build never needs capnp).
#   2. tools/Scaler.Protocol.Generator turns those layouts into src/Scaler.Protocol/Messages/*.g.cs.
# Optional: REF_SCHEMA_DIR=/path/to/reference/protocol also checks that every struct, field, ordinal, offset and
# union tag of our schema equals the reference schema's (IDs and comments are ignored).
set -euo pipefail
cd "$(dirname "$0")/.."

schema=src/Scaler.Protocol/Schema
layout=$schema/Layout
mkdir -p "$layout"
for f in common status message object_storage; do
    (cd "$schema" && capnp compile -ocapnp "$f.capnp") > "$layout/$f.layout.txt"
done

if [ -n "${REF_SCHEMA_DIR:-}" ]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    # Qualify every line with the path of its enclosing declarations, drop IDs, then compare as sorted sets.
    normalise='{ line=$0; gsub(/ @0x[0-9a-f]+/, "", line); sub(/^ +/, "", line);
        if (line ~ /^@0x/ || line ~ /^#/) next;
        if (line ~ /^(struct|enum) /) { split(line, a, " "); path[++d]=a[2]; print pj() " :: " line; next }
        if (line ~ /^union/) { path[++d]="union"; print pj() " :: " line; next }
        if (line == "}") { d--; next }
        print pj() " :: " line }
        function pj(  s,i) { s=""; for(i=1;i<=d;i++) s=s "/" path[i]; return s }'
    for f in common status message object_storage; do
        grep -v 'Cxx' "$REF_SCHEMA_DIR/$f.capnp" > "$tmp/$f.capnp"
    done
    for f in common status message object_storage; do
        diff <(cd "$tmp" && capnp compile -ocapnp "$f.capnp" | awk "$normalise" | sort) \
             <(awk "$normalise" "$layout/$f.layout.txt" | sort) \
            || { echo "regen-protocol: layout of $f.capnp differs from the reference" >&2; exit 1; }
    done
    echo "regen-protocol: layouts equal the reference schema"
fi

dotnet run --project tools/Scaler.Protocol.Generator -c Release -- "$layout" src/Scaler.Protocol/Messages
