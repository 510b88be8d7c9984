#!/usr/bin/env bash
# The field's own scanners the peer tests run (tests/policies/peers): checkov and parliament, each in its own
# virtualenv under ${EDGESTACK_CACHE:-$HOME/.cache/edgestack}/<tool>-<version>, installed from a lock file that pins
# every package by version and hash (pip --require-hashes). The version is the lock file's `<tool>==X` line, so
# the folder name follows the lock. Idempotent: a folder whose stamp matches the lock file's hash is kept as is.
# Regenerate a lock after changing <tool>.in:
#   pip-compile --generate-hashes --allow-unsafe --strip-extras --no-header -o requirements-<tool>.txt <tool>.in
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${EDGESTACK_CACHE:-$HOME/.cache/edgestack}"
python="${EDGESTACK_PYTHON:-python3}"

for tool in checkov parliament; do
  lock="$here/requirements-$tool.txt"
  version="$(sed -n "s/^$tool==\([^ ]*\).*/\1/p" "$lock")"
  [ -n "$version" ] || { echo "peers: $lock names no $tool==<version>" >&2; exit 1; }
  dir="$cache/$tool-$version"
  stamp="$(sha256sum "$lock" | cut -d' ' -f1)"
  if [ -x "$dir/bin/$tool" ] && [ "$(cat "$dir/.lock-sha256" 2>/dev/null)" = "$stamp" ]; then
    continue
  fi
  echo "installing $tool $version into $dir"
  start=$SECONDS
  # The stamp is written last: an interrupted install has none and is redone from scratch.
  rm -rf "$dir"
  "$python" -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check --no-deps --require-hashes -r "$lock"
  "$dir/bin/$tool" --help >/dev/null
  echo "$stamp" >"$dir/.lock-sha256"
  echo "$tool $version installed in $((SECONDS - start)) s"
done
