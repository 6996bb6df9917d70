/**
 * Tokenizer export pieces: the BPE pre-tokenizer fingerprint (reproduced on real vocabularies rebuilt from
 * llama.cpp's models/ggml-vocab-*.gguf, whose .inp/.out pairs also check the encoder), the SentencePiece
 * parser, SpecialVocab and the naming heuristics against gguf-py itself.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { requireTool } from "../helpers/require-tool.js";
import { detectBpePre, preFromPattern } from "../../src/convert/bpe-pre-detect.js";
import { HfBpeEncoder, toJsRegexSource } from "../../src/convert/hf-bpe-encoder.js";
import { getModelIdComponents, idToTitle } from "../../src/convert/model-id-components.js";
import { parseSentencePieceModel } from "../../src/convert/sentencepiece-model.js";
import { sizeLabel } from "../../src/convert/size-label.js";
import { loadSpecialVocab } from "../../src/convert/special-vocab.js";
import type { GgufArray } from "../../src/formats/gguf/gguf-values.js";
import { readGgufHeader } from "../../src/formats/gguf/read-gguf-header.js";
import { encodeSentencePieceModel, makeHfArchCheckpoint, makeSpmPieces } from "../fixtures/make-hf-arch-checkpoint.js";
import { makeHfCheckpoint } from "../fixtures/make-hf-checkpoint.js";
import { assertRejectsWith, tempDir } from "../formats/helpers.js";
import { locatePython, runPython } from "./helpers/python-reference.js";

const env = locatePython();
const pyskip = "skip" in env ? env.skip : false;
const llamaCpp = "llamaCpp" in env ? env.llamaCpp : join(process.env.HOME ?? "", ".cache", "cortexd", "llama.cpp");
const tmp = tempDir("convert-tok");
after(tmp.cleanup);

const LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const QWEN2_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const splitThenBytes = (regex: string): object => ({
  type: "Sequence",
  pretokenizers: [{ type: "Split", pattern: { Regex: regex }, behavior: "Isolated", invert: false }, { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false }],
});

/** tokenizer.json as the model's repo ships it, rebuilt from llama.cpp's vocab-only GGUF. */
const REAL: Record<string, { pre: object; normalizer: object | null; ignoreMerges: boolean; bos: boolean }> = {
  "llama-bpe": { pre: splitThenBytes(LLAMA3_REGEX), normalizer: null, ignoreMerges: true, bos: true },
  qwen2: { pre: splitThenBytes(QWEN2_REGEX), normalizer: { type: "NFC" }, ignoreMerges: false, bos: false },
  "gpt-2": { pre: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true }, normalizer: null, ignoreMerges: false, bos: false },
};

async function rebuildTokenizerJson(name: string): Promise<Record<string, unknown> | undefined> {
  const file = join(llamaCpp, "models", `ggml-vocab-${name}.gguf`);
  if (!existsSync(file)) return undefined;
  const h = await readGgufHeader(file);
  const items = (k: string): ArrayLike<unknown> => (h.kv.get(k)!.value as GgufArray).items;
  const tokens = items("tokenizer.ggml.tokens") as string[];
  const types = items("tokenizer.ggml.token_type") as Int32Array;
  const bos = h.kv.get("tokenizer.ggml.bos_token_id")?.value as number;
  const vocab: Record<string, number> = {};
  const added: object[] = [];
  tokens.forEach((t, i) => {
    if (types[i] === 3 || types[i] === 4) added.push({ id: i, content: t, special: types[i] === 3, normalized: false });
    else vocab[t] = i;
  });
  const r = REAL[name]!;
  const post = r.bos ? { type: "TemplateProcessing", single: [{ SpecialToken: { id: tokens[bos], type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }], special_tokens: { [tokens[bos]!]: { id: tokens[bos], ids: [bos], tokens: [tokens[bos]] } } } : { type: "ByteLevel" };
  return { added_tokens: added, normalizer: r.normalizer, pre_tokenizer: r.pre, post_processor: post, model: { type: "BPE", vocab, merges: Array.from(items("tokenizer.ggml.merges") as string[]), ignore_merges: r.ignoreMerges, byte_fallback: false } };
}

for (const name of Object.keys(REAL)) {
  test(`pre-tokenizer fingerprint of the real ${name} vocabulary matches convert_hf_to_gguf's table; the encoder reproduces llama.cpp's test tokenizations`, async (t) => {
    const tj = await rebuildTokenizerJson(name);
    if (!tj) return t.skip(requireTool("LLAMA_TOOLS", `no ggml-vocab-${name}.gguf in ${llamaCpp}/models`) || undefined);
    const det = detectBpePre(tj, undefined);
    assert.equal(det.method, "hash");
    assert.equal(det.pre, name);
    const enc = new HfBpeEncoder(tj, undefined);
    const inp = readFileSync(join(llamaCpp, "models", `ggml-vocab-${name}.gguf.inp`), "utf8").split("\n__ggml_vocab_test__\n");
    const out = readFileSync(join(llamaCpp, "models", `ggml-vocab-${name}.gguf.out`), "utf8").split("\n");
    assert.ok(inp.length > 40);
    for (let i = 0; i < inp.length - 1; i++) assert.equal(enc.encode(inp[i]!, false).join(" "), out[i]!.trim(), `case ${i}: ${JSON.stringify(inp[i]).slice(0, 60)}`);
  });
}

test("unknown fingerprints fall back to the pre_tokenizer pattern (the tiny fixture is GPT-2 style); unknown patterns give none", async () => {
  const info = await makeHfCheckpoint(join(tmp.dir, "fp"), { arch: "llama" });
  const tj = JSON.parse(readFileSync(join(info.dir, "tokenizer.json"), "utf8"));
  const det = detectBpePre(tj, undefined);
  assert.equal(det.method, "pattern");
  assert.equal(det.pre, "gpt-2");
  assert.match(det.chkhsh ?? "", /^[0-9a-f]{64}$/);
  assert.equal(preFromPattern({ pre_tokenizer: splitThenBytes(QWEN2_REGEX) }), "qwen2");
  assert.equal(preFromPattern({ pre_tokenizer: { type: "Metaspace", replacement: "▁" } }), undefined);
  const none = detectBpePre({ ...tj, pre_tokenizer: { type: "Whitespace" } }, undefined);
  assert.equal(none.method, "none");
  assert.match(none.hashError ?? "", /Whitespace/);
});

test("Oniguruma (?i:…) groups become case classes; possessive quantifiers are refused", () => {
  assert.equal(toJsRegexSource("(?i:'s|'ll)|x"), "(?:'[sS]|'[lL][lL])|x");
  assert.throws(() => toJsRegexSource("\\p{L}++"), /possessive/);
  assert.equal(toJsRegexSource("\\p{L}+|\\p{N}{1,3}"), "\\p{L}+|\\p{N}{1,3}");
});

test("SentencePiece model: pieces, scores and types read back; trainer/normalizer specs skipped; garbage is FMT_INVALID", async () => {
  const pieces = makeSpmPieces(300);
  const parsed = parseSentencePieceModel(encodeSentencePieceModel(pieces), "tokenizer.model");
  assert.equal(parsed.length, 300);
  assert.deepEqual(parsed.slice(0, 4), [{ piece: "<unk>", score: 0, type: 2 }, { piece: "<s>", score: 0, type: 3 }, { piece: "</s>", score: 0, type: 3 }, { piece: "<0x00>", score: 0, type: 6 }]);
  assert.deepEqual(parsed.find((p) => p.piece === "▁the"), pieces.find((p) => p.piece === "▁the"));
  await assertRejectsWith(async () => parseSentencePieceModel(Buffer.from([0x0a, 0x50, 0x01]), "bad/tokenizer.model"), "FMT_INVALID", /not a SentencePiece model/, "bad/tokenizer.model");
});

test("SpecialVocab: a merges list whose later entry breaks the first entry's form is FMT_INVALID naming that entry (found by the fuzz soak: a TypeError)", async () => {
  const cases: [string, unknown[]][] = [
    ["pairs", [["a", "b"], ["", 0]]],
    ["strings", ["a b", 3]],
    ["pair then string", [["a", "b"], "c d"]],
  ];
  for (const [name, merges] of cases) {
    const dir = join(tmp.dir, `sv-bad-merges-${name.replaceAll(" ", "-")}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "tokenizer.json"), JSON.stringify({ model: { type: "BPE", merges } }));
    await assertRejectsWith(() => loadSpecialVocab(dir, { loadMerges: true }), "FMT_INVALID", /merge 1 is /, join(dir, "tokenizer.json"));
  }
});

test("SpecialVocab equals gguf-py's for the BPE fixture and the SentencePiece fixture", { skip: pyskip }, async () => {
  const bpe = await makeHfCheckpoint(join(tmp.dir, "sv-bpe"), { arch: "llama" });
  const spm = join(tmp.dir, "sv-spm");
  await makeHfArchCheckpoint(spm, { arch: "phi3" });
  for (const [dir, merges, nVocab] of [[bpe.dir, true, undefined], [spm, false, 320]] as const) {
    const ours = await loadSpecialVocab(dir, { loadMerges: merges, ...(nVocab ? { nVocab } : {}) });
    const py = JSON.parse(runPython(llamaCpp, "special_vocab.py", [dir, merges ? "1" : "0", nVocab ? String(nVocab) : "-"]));
    assert.deepEqual(ours.merges, py.merges);
    assert.deepEqual([...ours.specialTokenIds], py.special);
    assert.deepEqual([...ours.addSpecialToken], py.add);
    assert.equal(ours.chatTemplate, py.chat_template);
  }
});

test("model naming heuristics and size labels equal gguf-py's Metadata", { skip: pyskip }, () => {
  const ids = [
    ["meta-llama/Llama-3.2-1B-Instruct", 1_235_814_400], ["Qwen/Qwen2.5-7B-Instruct", 7_615_616_512], ["mistralai/Mistral-7B-Instruct-v0.3", 7_248_023_552],
    ["microsoft/Phi-3-mini-4k-instruct", 3_821_079_552], ["google/gemma-2-9b-it", 9_241_705_984], ["bigscience/bloom-7b1", 7_069_016_064],
    ["TheBloke/Mixtral-8x7B-v0.1-GGUF", 46_702_792_704], ["tiny-llama", 1_334_528], ["Llama-3.1-8B-Q4_K_M", 0], ["HuggingFaceTB/SmolLM2-135M", 134_515_008],
    ["./local-model-v2", 0], ["Meta Llama 3", 0], ["Qwen3-30B-A3B", 30_000_000_000], ["Phi-3-medium-128k-instruct", 14_000_000_000],
  ] as const;
  const titles = ["tiny-llama", "llama3b-chat", "Qwen2.5-7B", "v0.3-test", "x-ray 9000 gpu"];
  const sizes = [1_334_528, 500, 999_999, 1_000_001, 2_500_000, 9_500_000, 135_000_000, 1_235_814_400, 70_553_706_496, 1_200_000_000_000];
  const out = JSON.parse(runPython(llamaCpp, "metadata_cases.py", [], JSON.stringify({ ids: ids.map(([id, params]) => ({ id, params })), titles, sizes })));
  ids.forEach(([id, params], i) => {
    const c = getModelIdComponents(id, params);
    assert.deepEqual([c.fullName ?? null, c.org ?? null, c.basename ?? null, c.finetune ?? null, c.version ?? null, c.sizeLabel ?? null], out.ids[i], id);
  });
  assert.deepEqual(titles.map(idToTitle), out.titles);
  assert.deepEqual(sizes.map((n) => sizeLabel(n)), out.sizes);
});

