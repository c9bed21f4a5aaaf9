#!/usr/bin/env bash
# Installs the Debian packages the build and tests use, when they are missing:
#   capnproto — the official `capnp` tool, the independent check of our Cap'n Proto codec.
set -euo pipefail

missing=()
command -v capnp >/dev/null 2>&1 || missing+=(capnproto)

if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}" >&2
    if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
