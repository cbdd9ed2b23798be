#!/usr/bin/env bash
# Java 17, Maven and Node (for buf); apt-get update once per machine (package look-ups find nothing before it).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
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
if [ ${#need[@]} -gt 0 ]; then apt-get install -y -qq "${need[@]}"; fi
