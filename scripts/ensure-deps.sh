#!/usr/bin/env bash
# Everything the test suite needs beyond the .NET SDK, installed only when missing.
set -euo pipefail
need=()
command -v dotnet >/dev/null || { echo "ensure-deps: the .NET 10 SDK is required" >&2; exit 1; }
# Debian package names for the commands asked for.
for tool in "$@"; do
  command -v "$tool" >/dev/null && continue
  case "$tool" in
    node) need+=(nodejs) ;;
    afl-fuzz) need+=(afl++) ;;
    dnsmasq) need+=(dnsmasq-base) ;;
    *) need+=("$tool") ;;
  esac
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "ensure-deps: need root to apt-get install ${need[*]}" >&2; exit 1; fi
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
