#!/usr/bin/env bash
# Runs `node <args>` on Debian sid's Node 24 (installed by scripts/node24/install.sh) with this
# repository mounted at its own path inside the chroot, so node_modules and absolute paths resolve
# as on the host. A private mount namespace: the bind mounts vanish with the process. Loopback
# networking is the host's, so ports the tests pick are free on both sides.
#   bash scripts/node24/run.sh node_modules/jest/bin/jest.js tests/app
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
ROOTFS="${EDGESTACK_CACHE:-$HOME/.cache/edgestack}/node-24/root"
if [ ! -x "$ROOTFS/usr/bin/node" ]; then
  echo "no Node 24 root at $ROOTFS: run bash scripts/node24/install.sh (scripts/setup.sh does)" >&2
  exit 1
fi
# Mount namespaces and chroot need root: elsewhere (a CI runner) through passwordless sudo.
SUDO=()
[ "$(id -u)" -eq 0 ] || SUDO=(sudo --preserve-env=CI)
# shellcheck disable=SC2016 # the inner script expands its own arguments
exec "${SUDO[@]}" unshare --mount --propagation private -- bash -c '
  set -euo pipefail
  rootfs="$1" repo="$2"; shift 2
  mount --rbind /dev "$rootfs/dev"
  mount -t proc proc "$rootfs/proc"
  mount -t tmpfs tmpfs "$rootfs/tmp"
  # After /tmp: a repository under /tmp (a CI clone) must not be hidden by the tmpfs.
  mkdir -p "$rootfs$repo"
  mount --bind "$repo" "$rootfs$repo"
  cp /etc/resolv.conf /etc/hosts "$rootfs/etc/" 2>/dev/null || true
  exec env HOME=/tmp PATH=/usr/bin:/usr/sbin:/bin LC_ALL=C unshare --root="$rootfs" --wd="$repo" /usr/bin/node "$@"
' node24 "$ROOTFS" "$REPO" "$@"
