#!/usr/bin/env bash
# /metrics tests (aim-server, docs/metrics.md): promtool checks a scrape, and a private Prometheus server (started
# by the test on loopback with its own config and data folder) scrapes AIM. Only the binaries are needed: the
# system prometheus service is not used and need not run. Idempotent.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null; then
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends prometheus >/dev/null
fi
