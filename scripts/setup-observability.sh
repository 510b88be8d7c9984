#!/usr/bin/env bash
# The observability tools the rule tests and `npm run local -- --observe` run, outside the checkout:
#   - Debian bookworm's prometheus (prometheus, promtool), prometheus-alertmanager (alertmanager,
#     amtool) and prometheus-nginx-exporter, pinned by version, unpacked with dpkg-deb into
#     ${EDGESTACK_CACHE:-$HOME/.cache/edgestack}/prometheus-tools-<versions> (static Go binaries: no
#     services started, the system untouched). When Debian has moved on from a pin (a point release),
#     the current version is taken and printed: record it.
#   - sloth's generator (scripts/sloth: sloth's library behind `sloth generate`'s flags, the version
#     pinned with hashes by its go.mod/go.sum), built from the Go module proxy into
#     ${EDGESTACK_CACHE}/sloth-generate-<version>-<source hash>/bin. Only the generator's packages are
#     compiled, not the CLI's Kubernetes controller (the full `go install .../cmd/sloth` compiles
#     about twice as many packages).
# Idempotent.
set -euo pipefail

cache="${EDGESTACK_CACHE:-$HOME/.cache/edgestack}"
PROMETHEUS_VERSION="2.42.0+ds-5+deb12u1"
ALERTMANAGER_VERSION="0.25.0-1+b4"
NGINX_EXPORTER_VERSION="0.11.0-1+b4"

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

# Debian builds Alertmanager to read its default notification templates from /usr/share/prometheus/alertmanager (a
# path fixed at build time, no flag): without them it never applies its configuration and never listens. The pinned
# package's two templates go there when the system has none (nothing else of the package is installed).
am_share=/usr/share/prometheus/alertmanager
if [ ! -f "$am_share/default.tmpl" ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO mkdir -p "$am_share"
  $SUDO cp "$tools/usr/share/prometheus/alertmanager/default.tmpl" "$tools/usr/share/prometheus/alertmanager/email.tmpl" "$am_share/"
  echo "installed Alertmanager's default templates into $am_share"
fi

# The folder name is derived the same way by local/processes/observability-tools.ts (slothPath).
sloth_src="$(cd "$(dirname "$0")/sloth" && pwd)"
sloth_version="$(sed -n 's#^[[:space:]]*github.com/slok/sloth v\([^ ]*\).*#\1#p' "$sloth_src/go.mod")"
sloth_hash="$(cat "$sloth_src/go.mod" "$sloth_src/go.sum" "$sloth_src/main.go" | sha256sum | cut -c1-12)"
sloth="$cache/sloth-generate-$sloth_version-$sloth_hash/bin/sloth-generate"
if [ ! -x "$sloth" ]; then
  command -v go >/dev/null 2>&1 || { echo "sloth's generator needs Go (1.26 or later) to build: install golang-go" >&2; exit 1; }
  echo "building sloth $sloth_version's generator into $(dirname "$sloth")"
  start=$(date +%s)
  mkdir -p "$(dirname "$sloth")"
  (cd "$sloth_src" && GOFLAGS=-mod=readonly go build -trimpath -o "$sloth.tmp" .)
  mv "$sloth.tmp" "$sloth"
  echo "sloth's generator built in $(($(date +%s) - start)) s"
fi
