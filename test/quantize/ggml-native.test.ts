/**
 * The koffi boundary: finding node-llama-cpp's libraries on every platform, the size functions against
 * cortexd's own type table, version info, chunk offsets, and every argument ggml would abort the process on
 * coming back as a CortexError instead.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { GGML_TYPE, GGML_TYPE_SIZES, LLAMA_FTYPE } from "../../src/formats/gguf/ggml-types.js";
import { CHUNK_TYPES, GgmlNative, ggmlBlckSize, ggmlQuantizeChunk, ggmlRowSize, ggmlTypeSize, llamaModelQuantize, loadGgmlNative } from "../../src/quantize/ggml-native.js";
import { locateNativeLibraries, pickNativeLibraries, prebuiltPackagesFor } from "../../src/quantize/native-library-path.js";
import { tempDir } from "../helpers/temp-dir.js";
import { SeededRandom } from "../fixtures/seeded-random.js";
import { repoRoot } from "./helpers.js";

function randomRows(n: number, seed = 1): Float32Array {
  const r = new SeededRandom(seed);
  return new Float32Array(n).map(() => r.normal());
}

test("node-llama-cpp's prebuilt package is chosen per platform, macOS and Windows included", () => {
  assert.deepEqual(prebuiltPackagesFor("darwin", "arm64"), [{ name: "@node-llama-cpp/mac-arm64-metal", folder: "mac-arm64-metal" }]);
  assert.deepEqual(prebuiltPackagesFor("darwin", "x64"), [{ name: "@node-llama-cpp/mac-x64", folder: "mac-x64" }]);
  assert.equal(prebuiltPackagesFor("linux", "x64")[0]!.name, "@node-llama-cpp/linux-x64");
  assert.equal(prebuiltPackagesFor("linux", "arm64")[0]!.folder, "linux-arm64");
  assert.equal(prebuiltPackagesFor("linux", "arm")[0]!.folder, "linux-armv7l");
  assert.equal(prebuiltPackagesFor("win32", "x64")[0]!.name, "@node-llama-cpp/win-x64");
  assert.deepEqual(prebuiltPackagesFor("freebsd", "x64"), []);
});

test("library files are recognised by platform naming, ignoring backends and llama-common", () => {
  const mac = ["libggml-base.dylib", "libggml-blas.dylib", "libggml-cpu.dylib", "libggml-metal.dylib", "libggml.metal.v0.5.0.dylib", "libllama-common.dylib", "libllama.metal.v0.5.0.dylib", "llama-addon.node"];
  assert.deepEqual(pickNativeLibraries("/m", mac, "darwin"), {
    dir: "/m",
    ggmlBase: path.join("/m", "libggml-base.dylib"),
    ggml: path.join("/m", "libggml.metal.v0.5.0.dylib"),
    llama: path.join("/m", "libllama.metal.v0.5.0.dylib"),
  });
  const linux = ["libggml-base.so", "libggml-cpu-haswell.so", "libggml.v0.5.0.so", "libllama-common.so", "libllama.v0.5.0.so"];
  assert.equal(pickNativeLibraries("/l", linux, "linux")?.llama, path.join("/l", "libllama.v0.5.0.so"));
  assert.equal(pickNativeLibraries("/l", linux, "darwin"), undefined, ".so files are not macOS libraries");
  const win = ["ggml-base.dll", "ggml-cpu-x64.dll", "ggml.v0.5.0.dll", "llama.v0.5.0.dll", "llama-common.dll"];
  assert.equal(pickNativeLibraries("C:/w", win, "win32")?.ggml, path.join("C:/w", "ggml.v0.5.0.dll"));
  assert.equal(pickNativeLibraries("/x", ["libggml-base.so", "libllama.so"], "linux"), undefined, "libggml missing");
});

test("on this machine the libraries come from node-llama-cpp's package for this platform", () => {
  const files = locateNativeLibraries();
  const expected = prebuiltPackagesFor(process.platform, process.arch)[0]!;
  assert.ok(files.dir.includes(path.join(...expected.name.split("/"))), `${files.dir} is not inside ${expected.name}`);
  for (const f of [files.ggmlBase, files.ggml, files.llama]) assert.ok(fs.existsSync(f), f);
});

test("a libDir without the libraries is refused with QUANT_FAILED naming the directory", (t) => {
  const dir = tempDir(t, "ggml-empty");
  fs.writeFileSync(path.join(dir, "libllama.so"), "");
  assert.throws(() => loadGgmlNative({ libDir: dir }), (e: { code?: string; message: string }) => e.code === "QUANT_FAILED" && e.message.includes(dir));
});

test("ggml's block, type and row sizes agree with cortexd's type table", () => {
  for (const [name, [blck, bytes]] of Object.entries(GGML_TYPE_SIZES)) {
    const id = GGML_TYPE[name as keyof typeof GGML_TYPE];
    assert.equal(ggmlBlckSize(id), blck, `${name} block size`);
    assert.equal(ggmlTypeSize(id), bytes, `${name} type size`);
    assert.equal(ggmlRowSize(id, blck * 7), bytes * 7, `${name} row size`);
  }
});

test("version info names the llama.cpp release node-llama-cpp was built from", () => {
  const info = loadGgmlNative().versionInfo();
  const tag = (JSON.parse(fs.readFileSync(path.join(repoRoot, "node_modules", "node-llama-cpp", "llama", "llama.cpp.info.json"), "utf8")) as { tag: string }).tag;
  assert.equal(info.llamaCppRelease, tag);
  assert.equal(info.llamaCppRepo, "ggml-org/llama.cpp");
  assert.match(info.llamaVersion, /^\d+\.\d+\.\d+/);
  assert.match(info.ggmlVersion, /^\d+\.\d+\.\d+/);
  assert.match(info.ggmlCommit, /^[0-9a-f]{7,40}$/);
  assert.match(info.nodeLlamaCppVersion ?? "", /^\d+\.\d+\.\d+/);
});

test("default quantize params are llama.h's: Q8_0, rules pick output/embedding types, output quantized", () => {
  const p = loadGgmlNative().llamaModelQuantizeDefaultParams();
  assert.equal(p.ftype, LLAMA_FTYPE.MOSTLY_Q8_0);
  assert.equal(p.outputTensorType, 43, "GGML_TYPE_COUNT = let the rules decide");
  assert.equal(p.tokenEmbeddingType, 43);
  assert.equal(p.quantizeOutputTensor, true);
  assert.deepEqual([p.allowRequantize, p.onlyCopy, p.pure, p.keepSplit, p.dryRun], [false, false, false, false, false]);
  assert.equal(p.nthread, 0);
  assert.equal(p.maxBufSize, 8 * 1024 ** 3);
});

test("start is an element offset: rows land at (start / nPerRow) · rowSize and match a whole-tensor call", () => {
  const nPerRow = 512;
  const x = randomRows(6 * nPerRow, 2);
  for (const t of ["Q4_K", "Q8_0", "Q6_K", "F16"] as const) {
    const id = GGML_TYPE[t];
    const rowSize = ggmlRowSize(id, nPerRow);
    const whole = new Uint8Array(6 * rowSize);
    assert.equal(ggmlQuantizeChunk(id, x, whole, 0, 6, nPerRow), 6 * rowSize);
    const part = new Uint8Array(6 * rowSize);
    assert.equal(ggmlQuantizeChunk(id, x, part, 2 * nPerRow, 3, nPerRow), 3 * rowSize);
    assert.deepEqual(part.subarray(2 * rowSize, 5 * rowSize), whole.subarray(2 * rowSize, 5 * rowSize), `${t} rows 2..4`);
    assert.ok(part.subarray(0, 2 * rowSize).every((b) => b === 0) && part.subarray(5 * rowSize).every((b) => b === 0), `${t} wrote outside its rows`);
    // Views with byte offsets are passed to C at their offset.
    const view = new Uint8Array(7 * rowSize).subarray(rowSize);
    ggmlQuantizeChunk(id, x.subarray(nPerRow), view, 0, 5, nPerRow);
    assert.deepEqual(view.subarray(0, 5 * rowSize), whole.subarray(rowSize), `${t} through views`);
  }
});

test("an importance matrix is accepted and changes K-quant output", () => {
  const nPerRow = 256;
  const x = randomRows(4 * nPerRow, 3);
  const plain = new Uint8Array(4 * ggmlRowSize(GGML_TYPE.Q4_K, nPerRow));
  const weighted = new Uint8Array(plain.length);
  ggmlQuantizeChunk(GGML_TYPE.Q4_K, x, plain, 0, 4, nPerRow);
  const im = new Float32Array(nPerRow).map((_, i) => (i % 16 === 0 ? 100 : 0.01));
  ggmlQuantizeChunk(GGML_TYPE.Q4_K, x, weighted, 0, 4, nPerRow, im);
  assert.notDeepEqual(weighted, plain);
});

test("arguments ggml would abort on are REQ_INVALID_ARGUMENT naming the argument; the process lives on", () => {
  const x = randomRows(1024);
  const dst = new Uint8Array(4 * 144);
  const Q4_K = GGML_TYPE.Q4_K;
  const cases: [string, () => unknown, RegExp][] = [
    ["start not a multiple of nPerRow", () => ggmlQuantizeChunk(Q4_K, x, dst, 100, 1, 256), /start 100 is not a multiple of nPerRow 256/],
    ["nPerRow not a multiple of the block", () => ggmlQuantizeChunk(Q4_K, x, dst, 0, 2, 384), /nPerRow 384 is not a multiple of the Q4_K block size 256/],
    ["src too short", () => ggmlQuantizeChunk(Q4_K, x, new Uint8Array(8 * 144), 0, 5, 256), /src has 1024 floats, rows need \[0, 1280\)/],
    ["start past the end", () => ggmlQuantizeChunk(Q4_K, x, new Uint8Array(8 * 144), 1024, 1, 256), /src has 1024 floats/],
    ["dst too small", () => ggmlQuantizeChunk(Q4_K, x, new Uint8Array(100), 0, 1, 256), /dst has 100 bytes, Q4_K rows need 144/],
    ["dst too small for start", () => ggmlQuantizeChunk(Q4_K, x, new Uint8Array(144), 256, 1, 256), /dst has 144 bytes, Q4_K rows need 288/],
    ["negative nrows", () => ggmlQuantizeChunk(Q4_K, x, dst, 0, -1, 256), /nrows must be a non-negative integer/],
    ["fractional start", () => ggmlQuantizeChunk(Q4_K, x, dst, 0.5, 1, 256), /start must be a non-negative integer/],
    ["zero nPerRow", () => ggmlQuantizeChunk(Q4_K, x, dst, 0, 1, 0), /nPerRow must be positive/],
    ["NaN nPerRow", () => ggmlQuantizeChunk(Q4_K, x, dst, 0, 1, NaN), /nPerRow must be a non-negative integer/],
    ["src not Float32Array", () => ggmlQuantizeChunk(Q4_K, new Float64Array(256) as unknown as Float32Array, dst, 0, 1, 256), /src must be a Float32Array/],
    ["dst not bytes", () => ggmlQuantizeChunk(Q4_K, x, new Uint16Array(300) as unknown as Uint8Array, 0, 1, 256), /dst must be a Uint8Array/],
    ["imatrix too short", () => ggmlQuantizeChunk(Q4_K, x, dst, 0, 1, 256, new Float32Array(10)), /imatrix has 10 floats, need nPerRow = 256/],
    ["row size of a partial block", () => ggmlRowSize(Q4_K, 100), /ne 100 is not a multiple of the Q4_K block size 256/],
    ["size of a removed type id", () => ggmlBlckSize(4), /4 is not a ggml type id/],
    ["size of an out-of-range id", () => ggmlTypeSize(999), /999 is not a ggml type id/],
    ["empty input path", () => llamaModelQuantize("", "/tmp/x.gguf"), /inPath must be a non-empty string/],
    ["non-integer ftype", () => llamaModelQuantize("/a.gguf", "/b.gguf", { ftype: 1.5 }), /params.ftype must be an integer/],
  ];
  for (const [what, fn, re] of cases) {
    assert.throws(fn, (e: { code?: string; message: string }) => e.code === "REQ_INVALID_ARGUMENT" && re.test(e.message), what);
  }
  // Still alive and still correct.
  assert.equal(ggmlQuantizeChunk(Q4_K, x, dst, 0, 4, 256), 4 * 144);
});

test("types outside the safe set are QUANT_UNSUPPORTED_TYPE naming the type and the supported list", () => {
  const x = randomRows(256);
  for (const [id, label] of [[GGML_TYPE.IQ2_XXS, "IQ2_XXS"], [GGML_TYPE.Q8_1, "Q8_1"], [GGML_TYPE.I32, "I32"], [31, "id 31"], [-1, "id -1"]] as const) {
    assert.throws(
      () => ggmlQuantizeChunk(id, x, new Uint8Array(4096), 0, 1, 256),
      (e: { code?: string; message: string }) => e.code === "QUANT_UNSUPPORTED_TYPE" && e.message.includes(label) && e.message.includes(CHUNK_TYPES.join(", ")),
      label,
    );
  }
});

test("zero rows write nothing and return 0", () => {
  const dst = new Uint8Array(0);
  assert.equal(ggmlQuantizeChunk(GGML_TYPE.Q6_K, new Float32Array(0), dst, 0, 0, 256), 0);
});

test("llama_model_quantize failures carry llama.cpp's reason", (t) => {
  const dir = tempDir(t, "ggml-fail");
  const missing = path.join(dir, "missing.gguf");
  assert.throws(
    () => llamaModelQuantize(missing, path.join(dir, "out.gguf"), { ftype: LLAMA_FTYPE.MOSTLY_Q4_0, nthread: 1 }),
    (e: { code?: string; message: string }) => e.code === "QUANT_FAILED" && e.message.includes(missing) && /failed to load model/.test(e.message),
  );
  assert.ok(loadGgmlNative() instanceof GgmlNative);
});
