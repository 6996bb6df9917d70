#!/usr/bin/env bash
# Generates Go stubs from proto/ alone, builds this client and runs it with the given flags (--home, --address,
# --token). No module downloads: a GOPATH build against the system's Go packages (Debian: /usr/share/gocode).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/cortex-go-XXXXXX")"
trap 'rm -rf "$work"' EXIT
for tool in go protoc protoc-gen-go protoc-gen-go-grpc; do
  command -v "$tool" >/dev/null || { echo "cortex-go: $tool not found (apt-get install golang-go protobuf-compiler protoc-gen-go protoc-gen-go-grpc golang-google-grpc-dev golang-google-genproto-dev)" >&2; exit 127; }
done
mkdir -p "$work/src"
protoc -I "$root/proto" --go_out="$work/src" --go-grpc_out="$work/src" \
  cortex/v1/common.proto cortex/v1/models.proto cortex/v1/jobs.proto cortex/v1/inference.proto
mkdir -p "$work/src/cortex-go-example"
cp "$here/main.go" "$work/src/cortex-go-example/"
export GO111MODULE=off GOFLAGS= GOPATH="$work:${CORTEX_GOPATH:-/usr/share/gocode}" GOCACHE="${GOCACHE:-$HOME/.cache/cortexd/go-build}"
(cd "$work/src/cortex-go-example" && go build -o "$work/cortex-go" .)
"$work/cortex-go" "$@"
