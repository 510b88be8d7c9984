#!/usr/bin/env bash
# Installs Debian sid's Node 24 into a chroot folder, for running the app's tests on the Node major
# the image ships (app/Dockerfile). Sid's nodejs links against sid's libraries and loads builtins
# from /usr/share/nodejs, so the packages are extracted (dpkg-deb -x) into one root folder with all
# their dependencies and node runs as `chroot <root> /usr/bin/node`. Private apt lists and cache:
# the machine's own apt configuration and state are not touched. Idempotent.
set -euo pipefail

CACHE="${EDGESTACK_CACHE:-$HOME/.cache/edgestack}"
DEST="$CACHE/node-24"
ROOTFS="$DEST/root"
MAJOR=24
# The app's tests also start redis-server and make certificates with openssl: sid's, inside the root.
PACKAGES=(nodejs libnode137 node-undici node-acorn node-minimatch redis-server openssl)

if [ -x "$ROOTFS/usr/bin/node" ] && [ -x "$ROOTFS/usr/bin/redis-server" ] && chroot "$ROOTFS" /usr/bin/node --version 2>/dev/null | grep -q "^v$MAJOR\."; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/node24/install.sh: needs root (chroot); skipped" >&2
  exit 0
fi

APT="$DEST/apt"
rm -rf "$ROOTFS" "$APT"
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$ROOTFS"
echo "deb http://deb.debian.org/debian sid main" >"$APT/sources.list"
# An empty dpkg status: apt resolves the whole dependency closure, as for an empty root.
: >"$APT/status"
opts=(
  -o "Dir::Etc::SourceList=$APT/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache" -o "Dir::State::status=$APT/status"
  -o APT::Install-Recommends=false -o Debug::NoLocking=true -o APT::Sandbox::User=root
)
apt-get "${opts[@]}" update -qq
apt-get "${opts[@]}" install -y -qq --download-only "${PACKAGES[@]}" >/dev/null
for deb in "$APT"/cache/archives/*.deb; do dpkg-deb -x "$deb" "$ROOTFS"; done
# Debian's merged-/usr layout: the packages ship /usr/lib..., the loader is looked up under /lib.
for d in bin sbin lib lib64; do
  [ -e "$ROOTFS/$d" ] || [ ! -d "$ROOTFS/usr/$d" ] || ln -s "usr/$d" "$ROOTFS/$d"
done
mkdir -p "$ROOTFS/dev" "$ROOTFS/proc" "$ROOTFS/tmp" "$ROOTFS/work"
chmod 1777 "$ROOTFS/tmp"
rm -rf "$APT/cache"
version="$(chroot "$ROOTFS" /usr/bin/node --version)"
case "$version" in v$MAJOR.*) echo "node $version in $ROOTFS" ;; *) echo "expected Node $MAJOR, got $version" >&2; exit 1 ;; esac
