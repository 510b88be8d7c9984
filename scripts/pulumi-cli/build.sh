#!/usr/bin/env bash
# Builds the Pulumi CLI and its Node.js language host from the Go module proxy into the cache
# (${EDGESTACK_CACHE:-$HOME/.cache/edgestack}/pulumi-cli-<version>), never inside the checkout.
#
#   bash scripts/pulumi-cli/build.sh          build (skips what is already built)
#   bash scripts/pulumi-cli/build.sh --smoke  build, then `pulumi version` and a preview of a trivial
#                                             program against a local file backend
#
# The CLI is module github.com/pulumi/pulumi/pkg/v3 at the release tag. Its go.mod points the SDK at
# the sibling directory (../sdk) and swaps the clipboard package; the wrapper module in cli/ keeps the
# clipboard swap and takes the SDK at the same release from the proxy. The Node.js language host is a
# nested module of the SDK (sdk/nodejs/cmd/pulumi-language-nodejs), so the SDK's zip does not carry its
# source: it is asked for by the release tag's commit. Every refusal is logged verbatim in build.log.
#
# Compiling runs under `nice -n 19`: the machines this runs on share their cores.
set -uo pipefail

VERSION=3.248.0
# The commit the pkg/v3.248.0 tag names (the proxy's .info for pkg/v3@v3.248.0, Origin.Hash).
TAG_COMMIT=dc7edd58bc13179f81b80983aab4eb7f74a01b41
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DIR=${EDGESTACK_CACHE:-$HOME/.cache/edgestack}/pulumi-cli-$VERSION
BIN=$DIR/bin
LOG=$DIR/build.log
SMOKE=false
[ "${1:-}" = "--smoke" ] && SMOKE=true

mkdir -p "$BIN" "$DIR/cli" "$DIR/language-nodejs"
export GOFLAGS="-modcacherw -buildvcs=false"
export GOTOOLCHAIN=local
LDFLAGS="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$VERSION"

log() { printf '%s %s\n' "$(date -u +%FT%TZ)" "$*" | tee -a "$LOG"; }

# Runs a build step under nice with GNU time; wall/CPU/max RSS go to the log.
timed() {
  local name=$1; shift
  log "step $name: $*"
  /usr/bin/time -f "step $name: wall %e s, user %U s, sys %S s, max RSS %M KiB, exit %x" \
    -o "$DIR/.time" nice -n 19 "$@" >"$DIR/.out" 2>&1
  local rc=$?
  cat "$DIR/.out" "$DIR/.time" >>"$LOG"
  tail -n 1 "$DIR/.time"
  return $rc
}

build_cli() {
  if [ -x "$BIN/pulumi" ]; then log "cli: cached at $BIN/pulumi"; return 0; fi
  cp "$HERE/cli/go.mod" "$DIR/cli/go.mod"
  [ -f "$HERE/cli/go.sum" ] && cp "$HERE/cli/go.sum" "$DIR/cli/go.sum"
  cp "$HERE/cli/tools.go" "$DIR/cli/tools.go"
  (
    cd "$DIR/cli" || exit 1
    timed cli-download go mod download github.com/pulumi/pulumi/pkg/v3 github.com/pulumi/pulumi/sdk/v3 || exit 1
    # Resolves exactly the packages the CLI's main package imports (go.sum grows to that set).
    timed cli-resolve go get github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$VERSION || exit 1
    timed cli-build go build -trimpath -ldflags "$LDFLAGS" -o "$BIN/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  )
}

build_language_host() {
  if [ -x "$BIN/pulumi-language-nodejs" ]; then log "language host: cached"; return 0; fi
  local module=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
  cat >"$DIR/language-nodejs/go.mod" <<EOF
module edgestack.local/pulumi-language-nodejs

go 1.25.11

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
EOF
  (
    cd "$DIR/language-nodejs" || exit 1
    # The nested module has no release tag of its own: ask for the tag's commit, short and long.
    local ref ok=false
    for ref in "${TAG_COMMIT:0:12}" "$TAG_COMMIT" "v$VERSION"; do
      if timed "language-host-get@$ref" go get "$module@$ref"; then ok=true; break; fi
    done
    $ok || exit 1
    timed language-host-build go build -trimpath -ldflags "$LDFLAGS" -o "$BIN/pulumi-language-nodejs" "$module"
  )
}

# `pulumi version`, then what a local file backend allows: a stack, a --secret value read back with
# --show-secrets (the keyed PR diff's input), and a preview of a trivial Node.js program, which needs
# the language host on PATH.
smoke() {
  local work=$DIR/smoke
  rm -rf "$work"; mkdir -p "$work/state" "$work/program"
  export PATH="$BIN:$PATH" PULUMI_SKIP_UPDATE_CHECK=true PULUMI_HOME="$work/home"
  export PULUMI_BACKEND_URL="file://$work/state" PULUMI_CONFIG_PASSPHRASE=smoke-only
  timed pulumi-version "$BIN/pulumi" version
  cat >"$work/program/Pulumi.yaml" <<'YAML'
name: smoke
runtime: nodejs
YAML
  printf 'exports.greeting = "hello";\n' >"$work/program/index.js"
  printf '{"name":"smoke","main":"index.js"}\n' >"$work/program/package.json"
  (
    cd "$work/program" || exit 1
    ln -s "$HERE/../../node_modules" node_modules
    timed stack-init "$BIN/pulumi" stack init smoke --non-interactive
    timed config-set-secret "$BIN/pulumi" config set --secret smoke:token s3cr3t-smoke-value
    timed config-show-secrets "$BIN/pulumi" config --show-secrets --json
    timed preview "$BIN/pulumi" preview --non-interactive --stack smoke
  )
}

log "pulumi $VERSION build into $DIR (go $(go env GOVERSION), GOPROXY=$(go env GOPROXY))"
build_cli; cli=$?
build_language_host; host=$?
for f in pulumi pulumi-language-nodejs; do
  [ -x "$BIN/$f" ] && log "binary $f: $(stat -c %s "$BIN/$f") bytes"
done
log "result: cli=$cli language-host=$host"
if $SMOKE && [ $cli -eq 0 ]; then smoke; fi
[ $cli -eq 0 ] && [ $host -eq 0 ]
