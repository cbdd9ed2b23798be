#!/usr/bin/env bash
# Java 17, Maven, Node/npm, git, openssl, iproute2, systemd-analyze and rsyslog (started); then the pinned buf CLI (tools/buf, npm).
# apt-get update runs once per machine (package look-ups find nothing before it).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
project="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
stamp=/var/lib/apt/periodic/aim-apt-updated
if [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +720 2>/dev/null)" ]; then
  apt-get update -qq
  mkdir -p "$(dirname "$stamp")" && touch "$stamp"
fi
need=()
command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need+=(maven)
command -v npm >/dev/null || need+=(nodejs npm)
command -v ip >/dev/null || need+=(iproute2)
command -v git >/dev/null || need+=(git)
command -v openssl >/dev/null || need+=(openssl)
command -v rsyslogd >/dev/null || need+=(rsyslog)
# systemd-analyze rates the shipped unit's hardening (dist's SystemdUnitTest); nothing of systemd runs
command -v systemd-analyze >/dev/null || need+=(systemd)
if [ ${#need[@]} -gt 0 ]; then apt-get install -y -qq "${need[@]}"; fi

# syslog: AIM logs through syslog(3) to /dev/log. Without systemd nothing runs rsyslogd: start it. A rule files
# what abiquo-aim sends with facility daemon in its own file, which the tests read to check ident and facility;
# another files the audit trail (ident abiquo-aim-audit).
rule=/etc/rsyslog.d/40-abiquo-aim.conf
if [ ! -e "$rule" ]; then
  cat > "$rule" <<'RULE'
# AIM (abiquo-aim) logs with facility daemon: keep them together as well.
if $programname == 'abiquo-aim' and $syslogfacility-text == 'daemon' then -/var/log/abiquo-aim.log
RULE
  if pidof rsyslogd >/dev/null; then kill -HUP "$(pidof rsyslogd)" 2>/dev/null || true; fi
fi
# The audit trail has an ident of its own (abiquo-aim-audit): filed apart, as an operator would ship it apart.
audit_rule=/etc/rsyslog.d/41-abiquo-aim-audit.conf
if [ ! -e "$audit_rule" ]; then
  cat > "$audit_rule" <<'RULE'
# AIM's audit trail (who changed what on this node): ident abiquo-aim-audit, kept in a file of its own.
if $programname == 'abiquo-aim-audit' then -/var/log/abiquo-aim-audit.log
RULE
  # rsyslog 8 reads its rules only when it starts (SIGHUP just reopens files): restart a running one
  if pid=$(pidof rsyslogd); then
    kill -TERM "$pid"
    for _ in $(seq 50); do pidof rsyslogd >/dev/null || break; sleep 0.1; done
  fi
fi
if ! pidof rsyslogd >/dev/null; then
  rm -f /run/rsyslogd.pid
  rsyslogd
fi

# buf (lint of aim-proto in the tests, buf curl against a running AIM), the version pinned in package-lock.json.
buf="$project/tools/buf/node_modules/.bin/buf"
want="$(sed -n 's/.*"@bufbuild\/buf": "\([0-9.]*\)".*/\1/p' "$project/tools/buf/package.json" | head -n 1)"
if ! [ -x "$buf" ] || [ "$("$buf" --version 2>/dev/null)" != "$want" ]; then
  (cd "$project/tools/buf" && npm ci --no-audit --no-fund --loglevel=error)
fi
"$buf" --version >/dev/null
