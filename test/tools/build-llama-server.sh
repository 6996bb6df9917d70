#!/usr/bin/env bash
# Builds llama.cpp's llama-server from the source that node-llama-cpp ships as a git bundle (the very commit whose
# prebuilt libllama cortexd's engine calls), so the engine tests and `npm run bench llama-server` compare against
# the server users would run on the same GGUF.
#
#   test/tools/build-llama-server.sh            build if needed, then print the binary's path
#   test/tools/build-llama-server.sh --print    print the path if already built, exit 1 otherwise (never builds)
#
# Environment: CORTEX_TOOLS_CACHE (default $HOME/.cache/cortexd); CORTEX_TOOLS_JOBS (default 2).
#
# Flags: build-llama-tools.sh's, in its build folder, plus the server: ggml and libllama are then compiled once for
# both (a second ggml/libllama build takes over an hour on a loaded 2-core VM). That is CMake's default OpenMP
# (persistent thread team, as a user's `cmake -B build` gets) with GGML_NATIVE=OFF: AVX2/FMA/F16C kernels, where
# node-llama-cpp's prebuilt picks the best CPU variant at run time (AVX-512 where the CPU has it) — BENCHMARKS.md
# says so beside each figure; CORTEX_LLAMA_SERVER=/path/to/llama-server makes the bench use another build.
# No GPU backend, no web UI, no curl/OpenSSL (nothing is downloaded at run time).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
nlc="$repo_root/node_modules/node-llama-cpp/llama"
bundle="$nlc/gitRelease.bundle"
info="$nlc/llama.cpp.info.json"
mode="${1:-build}"

if [[ ! -f "$bundle" || ! -f "$info" ]]; then
  echo "build-llama-server: $bundle or $info is missing (is node-llama-cpp installed?)" >&2
  exit 2
fi
tag="$(sed -n 's/.*"tag"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$info")"
[[ -n "$tag" ]] || { echo "build-llama-server: no \"tag\" in $info" >&2; exit 2; }

cache="${CORTEX_TOOLS_CACHE:-$HOME/.cache/cortexd}"
src="$cache/llama.cpp-$tag"
build="$src/build"
jobs="${CORTEX_TOOLS_JOBS:-2}"
# Keep in step with build-llama-tools.sh (same build folder): only LLAMA_BUILD_SERVER differs.
cmake_flags=(
  -DCMAKE_BUILD_TYPE=Release
  -DCMAKE_C_FLAGS= -DCMAKE_CXX_FLAGS=
  -DGGML_NATIVE=OFF
  -DGGML_CUDA=OFF -DGGML_VULKAN=OFF -DGGML_METAL=OFF -DGGML_BLAS=OFF -DGGML_CCACHE=OFF
  -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF
  -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_APP=OFF
  -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_EXAMPLES=ON
)
bundle_id="$(git bundle list-heads "$bundle" 2>/dev/null | head -n1 | cut -c1-40)"
stamp_text="tag=$tag bundle=$bundle_id flags=${cmake_flags[*]} targets=llama-server"
stamp="$build/.cortex-server-stamp"

print_paths() {
  echo "llama.cpp source: $src"
  echo "llama-server: $build/bin/llama-server"
}
built() {
  [[ -f "$stamp" && "$(cat "$stamp")" == "$stamp_text" && -x "$build/bin/llama-server" ]]
}

if built; then print_paths; exit 0; fi
if [[ "$mode" == "--print" ]]; then
  echo "build-llama-server: not built yet; run $0" >&2
  exit 1
fi

for tool in git cmake c++ cc; do
  command -v "$tool" >/dev/null || { echo "build-llama-server: '$tool' not found on PATH" >&2; exit 3; }
done

mkdir -p "$cache"
# One build at a time per cache (tests and the bench may ask at once).
exec 9>"$cache/.llama-build.lock"
flock 9
if built; then print_paths; exit 0; fi
if [[ ! -f "$src/CMakeLists.txt" ]]; then
  tmp="$src.tmp.$$"
  rm -rf "$tmp"
  git -c advice.detachedHead=false clone -q "$bundle" "$tmp"
  rm -rf "$src"
  mv "$tmp" "$src"
fi

start=$(date +%s)
cmake -S "$src" -B "$build" "${cmake_flags[@]}" >"$cache/llama.cpp-$tag.server-configure.log" 2>&1 || {
  tail -n 30 "$cache/llama.cpp-$tag.server-configure.log" >&2; exit 4; }
cmake --build "$build" --config Release -j "$jobs" --target llama-server
echo "$stamp_text" >"$stamp"
echo "build-llama-server: built in $(( $(date +%s) - start )) s"
print_paths
