#!/usr/bin/env bash
# Builds llama.cpp's reference tools from the source that node-llama-cpp ships as a git bundle (the very commit
# whose prebuilt libllama cortexd calls): llama-quantize and llama-gguf, so tests compare cortexd's in-process
# quantization with the upstream tool, and llama-server, the reference of the engine tests and of
# `npm run bench llama-server` (the server users would run on the same GGUF).
#
#   test/tools/build-llama-tools.sh            build if needed, then print the binaries' paths ("<tool>: <path>")
#   test/tools/build-llama-tools.sh --print    print the paths if already built, exit 1 otherwise (never builds)
#
# Environment: CORTEX_TOOLS_CACHE (default $HOME/.cache/cortexd) — the build lives OUTSIDE the repo in
# $CORTEX_TOOLS_CACHE/llama.cpp-<tag>; CORTEX_TOOLS_JOBS (default 2) — parallel compile jobs.
#
# Flags and byte identity with node-llama-cpp's prebuilt libraries (measured on linux-x64, gcc 12):
# - The quantizers (ggml-quants.c, ggml_quantize_chunk) live in libggml-base and llama_model_quantize in libllama.
#   GGML_NATIVE only changes libggml-cpu's flags (-march=native vs an explicit -msse4.2 -mavx2 -mfma … list);
#   libggml-base is compiled -O3 -std=gnu11 for the baseline ISA either way, so the tool's output is
#   byte-identical to cortexd's in-process quantization for every type (test/quantize/llama-quantize-parity).
# - What DOES break identity is FMA in libggml-base: gnu11 means -ffp-contract=fast, so any -march with FMA in
#   CFLAGS makes gcc fuse the quantizers' multiply-adds. A libggml-base built with "-march=native
#   -ffp-contract=fast" differed from the prebuilt in 192/256 Q2_K rows, 191/256 Q5_K, 50/256 Q4_K, 3/256 Q6_K
#   (Q8_0, F16, BF16 and the legacy types without imatrix stayed identical). Hence CMAKE_C_FLAGS and
#   CMAKE_CXX_FLAGS are pinned empty below, so CFLAGS/CXXFLAGS from the environment cannot leak in.
# - We pin GGML_NATIVE=OFF so the cached build does not depend on the CPU that built it.
# - On arm64 (macOS) FMA is baseline and clang contracts by default; identity there is unverified.
# - llama-server is built in the same folder with the same flags: ggml and libllama compile once for all three
#   (a second ggml/libllama build takes over an hour on a loaded 2-core VM). That is CMake's default OpenMP
#   (persistent thread team, as a user's `cmake -B build` gets) with GGML_NATIVE=OFF: AVX2/FMA/F16C kernels, where
#   node-llama-cpp's prebuilt picks the best CPU variant at run time (AVX-512 where the CPU has it) — BENCHMARKS.md
#   says so beside each figure; CORTEX_LLAMA_SERVER=/path/to/llama-server makes the tests and bench use another
#   build. No GPU backend, no web UI, no curl/OpenSSL (nothing is downloaded at run time).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
nlc="$repo_root/node_modules/node-llama-cpp/llama"
bundle="$nlc/gitRelease.bundle"
info="$nlc/llama.cpp.info.json"
mode="${1:-build}"

if [[ ! -f "$bundle" || ! -f "$info" ]]; then
  echo "build-llama-tools: $bundle or $info is missing (is node-llama-cpp installed?)" >&2
  exit 2
fi
tag="$(sed -n 's/.*"tag"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$info")"
[[ -n "$tag" ]] || { echo "build-llama-tools: no \"tag\" in $info" >&2; exit 2; }

cache="${CORTEX_TOOLS_CACHE:-$HOME/.cache/cortexd}"
src="$cache/llama.cpp-$tag"
build="$src/build"
jobs="${CORTEX_TOOLS_JOBS:-2}"
targets=(llama-quantize llama-gguf llama-server)
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
# The stamp records what was built from what; a different bundle or flag set rebuilds.
bundle_id="$(git bundle list-heads "$bundle" 2>/dev/null | head -n1 | cut -c1-40)"
stamp_text="tag=$tag bundle=$bundle_id flags=${cmake_flags[*]} targets=${targets[*]}"
stamp="$build/.cortex-build-stamp"

print_paths() {
  echo "llama.cpp source: $src"
  for t in "${targets[@]}"; do echo "$t: $build/bin/$t"; done
}
built() {
  [[ -f "$stamp" && "$(cat "$stamp")" == "$stamp_text" ]] || return 1
  for t in "${targets[@]}"; do [[ -x "$build/bin/$t" ]] || return 1; done
}

if built; then print_paths; exit 0; fi
if [[ "$mode" == "--print" ]]; then
  echo "build-llama-tools: not built yet; run $0" >&2
  exit 1
fi

for tool in git cmake c++ cc; do
  command -v "$tool" >/dev/null || { echo "build-llama-tools: '$tool' not found on PATH" >&2; exit 3; }
done

mkdir -p "$cache"
# One build at a time in this folder (tests and the bench may ask at once).
exec 9>"$cache/.llama-build.lock"
flock 9
if built; then print_paths; exit 0; fi
if [[ ! -f "$src/CMakeLists.txt" ]]; then
  # Clone beside the final name and rename, so an interrupted clone is never mistaken for a source tree.
  tmp="$src.tmp.$$"
  rm -rf "$tmp"
  git -c advice.detachedHead=false clone -q "$bundle" "$tmp"
  rm -rf "$src"
  mv "$tmp" "$src"
fi

start=$(date +%s)
cmake -S "$src" -B "$build" "${cmake_flags[@]}" >"$cache/llama.cpp-$tag.configure.log" 2>&1 || {
  tail -n 30 "$cache/llama.cpp-$tag.configure.log" >&2; exit 4; }
cmake --build "$build" --config Release -j "$jobs" --target "${targets[@]}"
echo "$stamp_text" >"$stamp"
echo "build-llama-tools: built in $(( $(date +%s) - start )) s"
print_paths
