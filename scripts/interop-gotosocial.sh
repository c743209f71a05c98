#!/usr/bin/env bash
# The live interop test against a real GoToSocial (tests/federation/interop/).
#
#   scripts/interop-gotosocial.sh            build GoToSocial if needed, run the test
#   scripts/interop-gotosocial.sh build      build only
#   scripts/interop-gotosocial.sh cached     run if the build is cached: the binary, or
#                                            a build from warm Go caches within 5 minutes
#                                            (exit 0 saying SKIPPED otherwise: CI)
#
# GoToSocial v0.19.2 is built from the Go module proxy (scripts/interop/gotosocial/
# go.mod says why not `go install`) into var/gotosocial/; the Go module and build
# caches (~/go, ~/.cache/go-build) make a rebuild on the same machine quick.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=v0.19.2
BINARY=var/gotosocial/gotosocial-$VERSION
WEB=var/gotosocial/web-$VERSION
PYTHON=${PYTHON:-.venv/bin/python}

# Modules of GoToSocial v0.19.2 that read Go runtime internals and declare the Go
# releases they know (`//go:build go1.22 && !go1.25`): built here with the upper bound
# lifted, from copies under var/ (the module cache stays untouched).
PATCHED="codeberg.org/gruf/go-structr codeberg.org/gruf/go-mutexes codeberg.org/gruf/go-mangler"

# Its web templates (the sign-in page the test goes through) and assets, from the module.
web() {
    [ -d "$WEB/template" ] && return
    local source
    source=$(cd scripts/interop/gotosocial \
        && go mod download -json "github.com/superseriousbusiness/gotosocial@$VERSION" \
        | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
    rm -rf "$WEB" && cp -r "$source/web" "$WEB" && chmod -R u+w "$WEB"
}

build() {
    if [ -x "$BINARY" ]; then
        echo "GoToSocial $VERSION: $BINARY (cached)"
        return
    fi
    command -v go >/dev/null || { echo "!!! no Go toolchain: cannot build GoToSocial" >&2; return 1; }
    local work=var/gotosocial/build
    rm -rf "$work" && mkdir -p "$work/patched"
    cp scripts/interop/gotosocial/{go.mod,go.sum,tools.go} "$work/"
    echo "Building GoToSocial $VERSION (once per machine; minutes)…"
    (
        cd "$work"
        export GOFLAGS=-mod=mod CGO_ENABLED=0
        for module in $PATCHED; do
            version=$(go list -m -f '{{.Version}}' "$module")
            source=$(go mod download -json "$module@$version" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
            target="patched/${module##*/}"
            cp -r "$source" "$target" && chmod -R u+w "$target"
            sed -i -E 's#^//go:build (.*) && !go1\.2[0-9]+$#//go:build \1#' "$target"/*.go
            go mod edit -replace "$module=./$target"
        done
        go build -trimpath -o gotosocial code.superseriousbusiness.org/gotosocial/cmd/gotosocial
    )
    mv "$work/gotosocial" "$BINARY"
}

case "${1:-run}" in
    build) build && web ;;
    cached)
        # A fresh clone has no var/: the build is then a link from the warm Go caches
        # (~/go, ~/.cache/go-build) of an earlier build on this machine, or is skipped.
        if ! { [ -x "$BINARY" ] && [ -d "$WEB/template" ]; } \
                && ! timeout "${INTEROP_BUILD_SECONDS:-300}" "$0" build; then
            reason="SKIPPED: GoToSocial not built within ${INTEROP_BUILD_SECONDS:-300} s (no warm Go build cache here; run scripts/interop-gotosocial.sh build once)"
            echo "$reason"
            # .ci/run reads pytest's status line from this file.
            [ -z "${CLOCHER_TEST_STATUS_FILE:-}" ] || echo "0 $reason" >"$CLOCHER_TEST_STATUS_FILE"
            exit 0
        fi
        CLOCHER_INTEROP=1 exec "$PYTHON" -m pytest tests/federation/interop -m interop \
            -p no:cacheprovider -q ;;
    run)
        build
        web
        CLOCHER_INTEROP=1 exec "$PYTHON" -m pytest tests/federation/interop -m interop \
            -p no:cacheprovider -q ;;
    *) echo "usage: $0 [run|build|cached]" >&2; exit 2 ;;
esac
