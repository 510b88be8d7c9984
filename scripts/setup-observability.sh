#!/usr/bin/env bash
# The observability tools the rule tests and `npm run local -- --observe` run, outside the checkout:
#   - Debian bookworm's prometheus (prometheus, promtool), prometheus-alertmanager (alertmanager,
#     amtool) and prometheus-nginx-exporter, pinned by version, unpacked with dpkg-deb into
#     ${EDGESTACK_CACHE:-$HOME/.cache/edgestack}/prometheus-tools-<versions> (static Go binaries: no
#     services started, the system untouched). When Debian has moved on from a pin (a point release),
#     the current version is taken and printed: record it.
#   - sloth from the Go module proxy, built once into ${EDGESTACK_CACHE}/sloth-<version>/bin (a cold
#     build took ~22 min on a loaded 2-core machine; CI should cache the folder).
# Idempotent.
set -euo pipefail

cache="${EDGESTACK_CACHE:-$HOME/.cache/edgestack}"
PROMETHEUS_VERSION="2.42.0+ds-5+deb12u1"
ALERTMANAGER_VERSION="0.25.0-1+b4"
NGINX_EXPORTER_VERSION="0.11.0-1+b4"
SLOTH_VERSION="0.16.0" # local/processes/observability-tools.ts SLOTH_VERSION

tools="$cache/prometheus-tools"
stamp="$tools/VERSIONS"
wanted="prometheus=$PROMETHEUS_VERSION prometheus-alertmanager=$ALERTMANAGER_VERSION prometheus-nginx-exporter=$NGINX_EXPORTER_VERSION"
if [ ! -f "$stamp" ] || [ "$(head -n1 "$stamp")" != "$wanted" ] || [ ! -x "$tools/usr/bin/promtool" ]; then
  echo "installing $wanted into $tools"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs" "$work/root"
  echo "deb http://deb.debian.org/debian bookworm main" >"$work/sources.list"
  echo "deb http://deb.debian.org/debian-security bookworm-security main" >>"$work/sources.list"
  echo "deb http://deb.debian.org/debian bookworm-updates main" >>"$work/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o "APT::Sandbox::User=$(id -un)")
  apt-get "${apt_opts[@]}" update -qq
  got=()
  for pin in $wanted; do
    name="${pin%%=*}"
    if (cd "$work/debs" && apt-get "${apt_opts[@]}" download "$pin" >/dev/null 2>&1); then
      got+=("$pin")
    else
      (cd "$work/debs" && apt-get "${apt_opts[@]}" download "$name" >/dev/null)
      version="$(dpkg-deb -f "$work"/debs/"${name}"_*.deb Version)"
      echo "warning: Debian no longer has $pin; installed $name=$version (record it)" >&2
      got+=("$name=$version")
    fi
  done
  for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$work/root"; done
  printf '%s\n' "$wanted" "installed: ${got[*]}" >"$work/root/VERSIONS"
  mkdir -p "$cache"
  rm -rf "$tools.old"
  [ -e "$tools" ] && mv "$tools" "$tools.old"
  mv "$work/root" "$tools"
  rm -rf "$tools.old"
fi
"$tools/usr/bin/promtool" --version 2>&1 | head -n1

sloth="$cache/sloth-$SLOTH_VERSION/bin/sloth"
if [ ! -x "$sloth" ]; then
  command -v go >/dev/null 2>&1 || { echo "sloth needs Go (1.22 or later) to build: install golang-go" >&2; exit 1; }
  echo "building sloth v$SLOTH_VERSION into $(dirname "$sloth") (slow: a few minutes to ~20 on a busy machine)"
  start=$(date +%s)
  GOBIN="$(dirname "$sloth")" GOFLAGS=-mod=mod go install "github.com/slok/sloth/cmd/sloth@v$SLOTH_VERSION"
  echo "sloth built in $(($(date +%s) - start)) s"
fi
