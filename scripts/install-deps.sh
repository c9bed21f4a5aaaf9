#!/usr/bin/env bash
# Installs the Debian packages the build and tests use, when they are missing:
#   capnproto            the official `capnp` tool, the independent check of our Cap'n Proto codec;
#   python3-cloudpickle  Python tasks: the runner (python/) and the tests that make tasks as the reference client does;
#   python3-tblib        tracebacks of failed Python tasks, as the reference worker sends them;
#   clang                the C toolchain that links the native build (scripts/publish.sh), when there is none.
# The Python packages go into Debian's /usr/bin/python3, which the tests and scripts/main.sh use.
set -euo pipefail

missing=()
command -v capnp >/dev/null 2>&1 || missing+=(capnproto)
/usr/bin/python3 -c 'import cloudpickle' >/dev/null 2>&1 || missing+=(python3-cloudpickle)
/usr/bin/python3 -c 'import tblib' >/dev/null 2>&1 || missing+=(python3-tblib)
toolchain=
# clang is what the .NET AOT compiler's Linux toolchain is documented and tested with; gcc is not asked for.
for candidate in clang clang-19 clang-18 clang-17 clang-16 clang-15 clang-14; do
    command -v "$candidate" >/dev/null 2>&1 && { toolchain=$candidate; break; }
done
[ -n "$toolchain" ] || missing+=(clang)

if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}" >&2
    if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
