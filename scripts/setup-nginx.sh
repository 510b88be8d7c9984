#!/usr/bin/env bash
# nginx >= 1.27.3 (`server ... resolve` in upstreams) without touching the system: Debian sid's nginx
# and the libraries it links, unpacked into one private folder shared by every checkout, run through
# that folder's dynamic loader. Debian stable's nginx (1.22) predates `resolve`.
#   EDGESTACK_NGINX_DIR  where it goes; default ${EDGESTACK_CACHE:-$HOME/.cache/edgestack}/nginx-1.30
# Idempotent: does nothing when the folder's nginx already runs and reports 1.27.3 or later.
set -euo pipefail

dir="${EDGESTACK_NGINX_DIR:-${EDGESTACK_CACHE:-$HOME/.cache/edgestack}/nginx-1.30}"
launcher="$dir/bin/nginx"
packages=(nginx libpcre2-8-0 libssl3t64 libc6 libcrypt1 zlib1g libzstd1)

version_ok() {
  local v
  v="$("$launcher" -v 2>&1 | sed -n 's|^nginx version: nginx/||p')" || return 1
  [ -n "$v" ] && [ "$(printf '%s\n1.27.3\n' "$v" | sort -V | head -n1)" = "1.27.3" ]
}

if [ -x "$launcher" ] && version_ok; then
  exit 0
fi

echo "installing nginx (Debian sid) into $dir"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs" "$work/root"
echo "deb http://deb.debian.org/debian sid main" >"$work/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o "APT::Sandbox::User=$(id -un)")
apt-get "${apt_opts[@]}" update -qq
(cd "$work/debs" && apt-get "${apt_opts[@]}" download "${packages[@]}" >/dev/null)
for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$work/root"; done

# Replace atomically, so a concurrent run never sees half a folder.
mkdir -p "$work/root/bin"
cat >"$work/root/bin/nginx" <<'LAUNCHER'
#!/bin/sh
# nginx from this folder with this folder's libraries (exec: the pid stays nginx's master).
root="$(dirname "$(dirname "$(readlink -f "$0")")")"
exec "$root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" --library-path "$root/usr/lib/x86_64-linux-gnu" "$root/usr/sbin/nginx" "$@"
LAUNCHER
chmod 0755 "$work/root/bin/nginx"
# Workers run as nobody when started as root: they must traverse the folder.
chmod 0755 "$work/root"
mkdir -p "$(dirname "$dir")"
rm -rf "$dir.old"
[ -e "$dir" ] && mv "$dir" "$dir.old"
mv "$work/root" "$dir"
rm -rf "$dir.old"

version_ok || { echo "the nginx in $dir does not run or is older than 1.27.3:" >&2; "$launcher" -V >&2 || true; exit 1; }
"$launcher" -V 2>&1 | head -n1
