#!/usr/bin/env bash
# A throwaway DNS server on loopback for the tests: dnsmasq answering only from its command line (no upstream, no
# /etc/hosts, no config file), every other name NXDOMAIN.
#   scripts/dnsmasq.sh start DIR PORT [DNSMASQ-OPTION...]   e.g. --txt-record=example.com,"leakwatch-verification=T"
#                                                            prints HOST:PORT (127.0.0.1:PORT)
#   scripts/dnsmasq.sh stop DIR                              no error when it is not running
# Installs Debian's dnsmasq-base (the daemon alone, no system service) when it is missing. Started as root, dnsmasq
# drops to the user nobody once the port is bound; the port is high, so no privilege is needed for it at all.
set -euo pipefail
# Nothing here reads standard input; the servers started here get /dev/null for it, since one started with it
# closed (as CI runs) can crash: redis-server does.
exec </dev/null
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
usage() { echo "usage: scripts/dnsmasq.sh start DIR PORT [DNSMASQ-OPTION...] | stop DIR" >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1; dir=$2

start() {
  local port=$1 i
  shift
  command -v dnsmasq >/dev/null || PATH="$PATH:/usr/sbin" command -v dnsmasq >/dev/null || "$root/scripts/ensure-deps.sh" dnsmasq
  PATH="$PATH:/usr/sbin"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  chmod 755 "$dir"
  dnsmasq --conf-file=/dev/null --no-resolv --no-hosts --no-poll --local='/#/' \
    --listen-address=127.0.0.1 --bind-interfaces --port="$port" \
    --pid-file="$dir/dnsmasq.pid" --log-facility="$dir/dnsmasq.log" --log-queries "$@"
  for i in $(seq 1 100); do
    if [ -s "$dir/dnsmasq.pid" ] && kill -0 "$(cat "$dir/dnsmasq.pid")" 2>/dev/null; then
      echo "127.0.0.1:$port"
      return 0
    fi
    sleep 0.05
  done
  echo "dnsmasq.sh: the server did not start on 127.0.0.1:$port, see $dir/dnsmasq.log" >&2
  exit 1
}

stop() {
  local pid i
  [ -f "$dir/dnsmasq.pid" ] || return 0
  pid=$(cat "$dir/dnsmasq.pid")
  kill "$pid" 2>/dev/null || { rm -f "$dir/dnsmasq.pid"; return 0; }
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$dir/dnsmasq.pid"; return 0; }
    sleep 0.05
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$dir/dnsmasq.pid"
}

case "$cmd" in
  start) [ $# -ge 3 ] || usage; shift 2; start "$@" ;;
  stop) stop ;;
  *) usage ;;
esac
