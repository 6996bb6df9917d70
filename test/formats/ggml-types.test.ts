import assert from "node:assert/strict";
import { test } from "node:test";
import { GGML_TYPE, GGML_TYPE_SIZES, ggmlBlockInfo, ggmlTypeName, LLAMA_FTYPE, llamaFtypeLabel, llamaFtypeName, parseLlamaFtype, rowSize, tensorByteSize } from "../../src/formats/gguf/ggml-types.js";

test("ggml type ids and block layouts match formats.md §4.7 / §5.2", () => {
  const expect: [keyof typeof GGML_TYPE, number, number, number][] = [
    ["F32", 0, 1, 4], ["F16", 1, 1, 2], ["Q4_0", 2, 32, 18], ["Q4_1", 3, 32, 20], ["Q5_0", 6, 32, 22], ["Q5_1", 7, 32, 24],
    ["Q8_0", 8, 32, 34], ["Q8_1", 9, 32, 36], ["Q2_K", 10, 256, 84], ["Q3_K", 11, 256, 110], ["Q4_K", 12, 256, 144],
    ["Q5_K", 13, 256, 176], ["Q6_K", 14, 256, 210], ["Q8_K", 15, 256, 292], ["IQ4_NL", 20, 32, 18], ["I8", 24, 1, 1],
    ["I64", 27, 1, 8], ["F64", 28, 1, 8], ["BF16", 30, 1, 2], ["MXFP4", 39, 32, 17], ["NVFP4", 40, 64, 36],
  ];
  for (const [name, id, block, size] of expect) {
    assert.equal(GGML_TYPE[name], id, name);
    assert.deepEqual(GGML_TYPE_SIZES[name], [block, size], name);
    assert.equal(ggmlTypeName(id), name);
  }
  for (const removed of [4, 5, 31, 32, 33, 36, 37, 38, 43]) assert.equal(ggmlTypeName(removed), undefined);
  assert.throws(() => ggmlBlockInfo(4), { code: "FMT_UNSUPPORTED" });
});

test("rowSize and tensorByteSize follow ggml_row_size / ggml_nbytes", () => {
  assert.equal(rowSize(GGML_TYPE.Q4_K, 4096), 16 * 144);
  assert.equal(rowSize(GGML_TYPE.Q8_0, 64), 68);
  assert.equal(rowSize(GGML_TYPE.F16, 7), 14);
  assert.equal(tensorByteSize(GGML_TYPE.Q6_K, [256, 3]), 630);
  assert.equal(tensorByteSize(GGML_TYPE.F32, []), 4, "0-d tensor holds one element");
  assert.equal(tensorByteSize(GGML_TYPE.F32, [5, 0]), 0);
  assert.throws(() => rowSize(GGML_TYPE.Q4_K, 100), { code: "FMT_INVALID", message: /100 elements per row is not a multiple of the Q4_K block size 256/ });
});

test("llama_ftype numbers, names and labels", () => {
  assert.deepEqual(
    [LLAMA_FTYPE.ALL_F32, LLAMA_FTYPE.MOSTLY_F16, LLAMA_FTYPE.MOSTLY_Q4_0, LLAMA_FTYPE.MOSTLY_Q4_1, LLAMA_FTYPE.MOSTLY_Q8_0, LLAMA_FTYPE.MOSTLY_Q5_0,
      LLAMA_FTYPE.MOSTLY_Q5_1, LLAMA_FTYPE.MOSTLY_Q2_K, LLAMA_FTYPE.MOSTLY_Q3_K_S, LLAMA_FTYPE.MOSTLY_Q3_K_M, LLAMA_FTYPE.MOSTLY_Q3_K_L,
      LLAMA_FTYPE.MOSTLY_Q4_K_S, LLAMA_FTYPE.MOSTLY_Q4_K_M, LLAMA_FTYPE.MOSTLY_Q5_K_S, LLAMA_FTYPE.MOSTLY_Q5_K_M, LLAMA_FTYPE.MOSTLY_Q6_K, LLAMA_FTYPE.MOSTLY_BF16],
    [0, 1, 2, 3, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 32],
  );
  assert.equal(llamaFtypeName(15), "MOSTLY_Q4_K_M");
  assert.equal(llamaFtypeLabel(15), "Q4_K_M");
  assert.equal(llamaFtypeLabel(0), "F32");
  assert.equal(llamaFtypeLabel(32), "BF16");
  assert.equal(llamaFtypeLabel(5), undefined);
  assert.equal(parseLlamaFtype("q4_k_m"), 15);
  assert.equal(parseLlamaFtype("Q4_K"), 15);
  assert.equal(parseLlamaFtype("f16"), 1);
  assert.equal(parseLlamaFtype("F32"), 0);
  assert.equal(parseLlamaFtype("Q9_9"), undefined);
});
