#!/usr/bin/env bash
# Install actionlint, pinned, into .leanenv/bin (git-ignored), built from its Go module
# (github.com/rhysd/actionlint) through the Go module proxy: it lints .github/workflows/ in
# test/tools/workflow-lint.test.ts. Idempotent: returns at once when that version is there.
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=v1.7.12
bin=.leanenv/bin/actionlint
if [ -x "$bin" ] && [ "$("$bin" -version | head -n 1)" = "$VERSION" ]; then exit 0; fi
go=$(command -v go || true)
[ -n "$go" ] || { [ -x /usr/local/go/bin/go ] && go=/usr/local/go/bin/go; }
[ -n "$go" ] || { echo "install-actionlint: Go is needed (go install $VERSION from the Go module proxy)" >&2; exit 1; }
mkdir -p .leanenv/bin
GOBIN="$PWD/.leanenv/bin" GOFLAGS=-mod=mod timeout 600 "$go" install "github.com/rhysd/actionlint/cmd/actionlint@$VERSION"
"$bin" -version | head -n 1
