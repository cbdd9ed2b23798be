#!/usr/bin/env bash
# aim-client: StreamEventWatcherTest runs its own private redis-server (a free loopback port, no persistence) and
# feeds it with XADDs in the event bus's stream format. Only the binary is needed: the system's redis service is
# neither started nor used. The event bus's own script (60-redis.sh) may install the same package: both are
# harmless together (nothing is installed twice).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! command -v redis-server >/dev/null; then
  apt-get install -y -qq redis-server
fi
