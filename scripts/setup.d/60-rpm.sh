#!/usr/bin/env bash
# dist: Debian's rpm (4.18) to read and install the built .rpm in the tests (rpm -qp..., rpm -i --root DIR).
# The build itself needs no rpmbuild: the package is written by a pure-Java Maven plugin.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
command -v rpm >/dev/null || apt-get install -y -qq --no-install-recommends rpm >/dev/null
