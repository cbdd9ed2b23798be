#!/usr/bin/env bash
# aim-eventbus: its tests and scripts/bench-eventbus start private redis-server instances (free ports, own folders,
# AOF where a test restarts one) and use redis-cli / redis-benchmark. Debian's package also starts a system instance
# on 6379; AIM's tests never use it, and this script neither needs nor stops it. Idempotent.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null \
    || ! command -v redis-benchmark >/dev/null; then
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq redis-server redis-tools >/dev/null
fi
