/**
 * Property-based fuzzing of every parser that reads bytes cortexd did not write: safetensors and GGUF headers,
 * tokenizer.json / tokenizer_config.json, config.json, manifests and Hub API answers. Each must answer every input
 * with a result or a typed error, in bounded time and memory. CI runs RUNS cases per property (fixed seed);
 * `npm run soak` runs ≥ 10,000 with a fresh seed.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { buildHparams } from "../../src/convert/hf-config.js";
import { HfBpeEncoder } from "../../src/convert/hf-bpe-encoder.js";
import { loadSpecialVocab } from "../../src/convert/special-vocab.js";
import { readGgufHeader } from "../../src/formats/gguf/read-gguf-header.js";
import { parseSafetensorsHeader, readSafetensorsHeader } from "../../src/formats/safetensors/read-safetensors-header.js";
import { HubClient } from "../../src/hub/hub-client.js";
import { readJsonObject } from "../../src/store/inspect/read-json-file.js";
import { readManifestFile } from "../../src/store/manifest/manifest-store.js";
import { makeGguf } from "../fixtures/make-gguf.js";
import { tempDir } from "../helpers/temp-dir.js";
import { allocatedBytes, FC_PARAMS, parsesOrTypedError } from "./fuzz-helpers.js";

const GiB = 2 ** 30;
const hex = (n: number) => fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: n, maxLength: n });

/** Byte-level mutations of a valid file: flips, overwrites with boundary values, truncation, splices. */
function mutated(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant("u64" as const), at: fc.nat(), value: fc.constantFrom(0n, 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 40n, 100n * 2n ** 30n, 2n ** 63n - 1n, 2n ** 64n - 1n) }),
    fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("splice" as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 16 }) }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    let b = Buffer.from(valid);
    for (const e of edits) {
      const at = e.at % Math.max(1, b.length);
      if (e.kind === "flip") b[at] = b[at]! ^ (1 << e.bit);
      else if (e.kind === "u64" && at + 8 <= b.length) b.writeBigUInt64LE(e.value, at);
      else if (e.kind === "truncate") b = b.subarray(0, at);
      else if (e.kind === "splice") b = Buffer.concat([b.subarray(0, at), Buffer.from(e.bytes), b.subarray(at)]);
    }
    return new Uint8Array(b);
  });
}

/** safetensors header JSON: plausible entries with hostile values mixed in. */
const safetensorsHeaderJson = fc.dictionary(
  fc.oneof(fc.constant("__metadata__"), fc.string({ maxLength: 12 })),
  fc.oneof(
    fc.record({
      dtype: fc.oneof(fc.constantFrom("F32", "F16", "BF16", "I8", "U8", "F64", "F4", "Q4", ""), fc.anything()),
      shape: fc.oneof(fc.array(fc.oneof(fc.nat(8), fc.constantFrom(-1, 2 ** 53, 1e300, 0.5)), { maxLength: 5 }), fc.anything()),
      data_offsets: fc.oneof(fc.tuple(fc.nat(64), fc.nat(64)), fc.tuple(fc.constantFrom(-1, 2 ** 60, 1.5), fc.nat()), fc.anything()),
    }),
    fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 })),
    fc.anything(),
  ),
  { maxKeys: 6 },
);

test("fuzz: safetensors headers — parsed or FMT_*; never a crash, a hang or a large allocation", async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, "f.safetensors");
  const before = allocatedBytes();
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        safetensorsHeaderJson.map((h) => ({ header: new TextEncoder().encode(JSON.stringify(h)), data: 64 })),
        fc.uint8Array({ maxLength: 256 }).map((header) => ({ header, data: 16 })),
      ),
      async ({ header, data }) => {
        await parsesOrTypedError("parseSafetensorsHeader", () => parseSafetensorsHeader(header, 8 + header.length + data, "f.safetensors"));
      },
    ),
    FC_PARAMS,
  );
  // Whole files: the length field is fuzzed too (a header claiming 100 GB must not allocate it).
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.constantFrom(100n * BigInt(GiB), 99_999_999n, 2n ** 63n)),
      fc.uint8Array({ maxLength: 128 }),
      async (len, rest) => {
        const lenBuf = Buffer.alloc(8);
        lenBuf.writeBigUInt64LE(len);
        fs.writeFileSync(file, Buffer.concat([lenBuf, rest]));
        await parsesOrTypedError("readSafetensorsHeader", () => readSafetensorsHeader(file));
      },
    ),
    FC_PARAMS,
  );
  const grew = allocatedBytes() - before;
  t.diagnostic(`memory growth over the run: ${(grew / 2 ** 20).toFixed(1)} MiB`);
  assert.ok(grew < 256 * 2 ** 20, `grew ${grew} bytes`);
});

test("fuzz: GGUF headers (mutations of a valid file and random bytes) — parsed or FMT_*; a 100 GB claim allocates nothing", async (t) => {
  const dir = tempDir(t);
  const valid = path.join(dir, "valid.gguf");
  await makeGguf(valid);
  const validBytes = new Uint8Array(fs.readFileSync(valid));
  const file = path.join(dir, "f.gguf");
  let parsed = 0;
  const before = allocatedBytes();
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        { weight: 4, arbitrary: mutated(validBytes) },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => new Uint8Array([0x47, 0x47, 0x55, 0x46, 3, 0, 0, 0, ...b])) },
      ),
      async (bytes) => {
        fs.writeFileSync(file, bytes);
        if (await parsesOrTypedError("readGgufHeader", () => readGgufHeader(file, { chunkBytes: 4096 }))) parsed++;
      },
    ),
    FC_PARAMS,
  );
  const grew = allocatedBytes() - before;
  t.diagnostic(`${parsed} mutated files still parsed; memory growth ${(grew / 2 ** 20).toFixed(1)} MiB`);
  assert.ok(grew < 256 * 2 ** 20, `grew ${grew} bytes`);

  // Counts and lengths that claim ~100 GB, each on its own.
  const claims: [string, (b: Buffer) => void][] = [
    ["tensor count", (b) => b.writeBigUInt64LE(100n * BigInt(GiB), 8)],
    ["kv count", (b) => b.writeBigUInt64LE(100n * BigInt(GiB), 16)],
    ["first key length", (b) => b.writeBigUInt64LE(100n * BigInt(GiB), 24)],
  ];
  for (const [what, edit] of claims) {
    const b = Buffer.from(validBytes);
    edit(b);
    fs.writeFileSync(file, b);
    const m0 = allocatedBytes();
    await assert.rejects(readGgufHeader(file), (err: Error & { code?: string }) => err.code === "FMT_INVALID" && err.message.includes(file), what);
    assert.ok(allocatedBytes() - m0 < 64 * 2 ** 20, `${what}: allocated ${allocatedBytes() - m0} bytes`);
  }
});

test("fuzz: tokenizer.json, tokenizer_config.json and config.json in a checkpoint folder — special vocab, BPE encoder and hparams answer or fail typed", async (t) => {
  const dir = tempDir(t);
  const tokenizerish = fc.record(
    {
      model: fc.oneof(
        fc.record({ type: fc.constantFrom("BPE", "Unigram", "WordPiece", 3), vocab: fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.nat(300), fc.integer({ min: -5, max: -1 }), fc.anything())), merges: fc.oneof(fc.array(fc.string({ maxLength: 5 })), fc.array(fc.tuple(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }))), fc.array(fc.anything())), byte_fallback: fc.boolean(), unk_token: fc.anything() }, { requiredKeys: ["type"] }),
        fc.anything(),
      ),
      added_tokens: fc.array(fc.oneof(fc.record({ id: fc.oneof(fc.integer({ min: -3, max: 400 }), fc.anything()), content: fc.oneof(fc.string({ maxLength: 8 }), fc.anything()), special: fc.boolean() }), fc.anything()), { maxLength: 5 }),
      normalizer: fc.oneof(fc.constant(null), fc.record({ type: fc.constantFrom("Sequence", "NFC", "NFKC", "Lowercase", "Replace", "Prepend", "StripAccents", "?"), normalizers: fc.anything(), pattern: fc.anything(), content: fc.anything(), prepend: fc.anything() }), fc.anything()),
      pre_tokenizer: fc.oneof(fc.constant(null), fc.record({ type: fc.constantFrom("Sequence", "ByteLevel", "Split", "Digits", "Metaspace", "?"), pretokenizers: fc.anything(), pattern: fc.anything(), behavior: fc.anything(), individual_digits: fc.anything(), add_prefix_space: fc.anything(), use_regex: fc.anything() }), fc.anything()),
      post_processor: fc.oneof(fc.constant(null), fc.record({ type: fc.constantFrom("TemplateProcessing", "RobertaProcessing", "BertProcessing", "Sequence", "ByteLevel", "?"), single: fc.anything(), pair: fc.anything(), special_tokens: fc.anything(), processors: fc.anything(), cls: fc.anything(), sep: fc.anything() }), fc.anything()),
    },
    { requiredKeys: [] },
  );
  const tokenizerConfig = fc.record(
    {
      bos_token: fc.oneof(fc.string({ maxLength: 6 }), fc.record({ content: fc.anything() }), fc.anything()),
      eos_token: fc.oneof(fc.string({ maxLength: 6 }), fc.anything()),
      add_bos_token: fc.anything(),
      chat_template: fc.oneof(fc.string({ maxLength: 40 }), fc.array(fc.record({ name: fc.anything(), template: fc.anything() }), { maxLength: 3 }), fc.anything()),
    },
    { requiredKeys: [] },
  );
  const config = fc.record(
    {
      model_type: fc.oneof(fc.constantFrom("llama", "mistral", "qwen2", "qwen3", "phi3", "gemma", "gemma2", "bert"), fc.anything()),
      architectures: fc.oneof(fc.array(fc.string({ maxLength: 12 }), { maxLength: 2 }), fc.anything()),
      hidden_size: fc.oneof(fc.nat(4096), fc.constantFrom(-1, 0.5, 1e300, "64"), fc.anything()),
      num_attention_heads: fc.oneof(fc.nat(64), fc.anything()),
      num_hidden_layers: fc.oneof(fc.nat(64), fc.constantFrom(-3, 2 ** 53), fc.anything()),
      intermediate_size: fc.anything(),
      bos_token_id: fc.oneof(fc.integer({ min: -5, max: 500 }), fc.anything()),
      eos_token_id: fc.oneof(fc.integer({ min: -5, max: 500 }), fc.array(fc.nat(5)), fc.anything()),
      text_config: fc.anything(),
      rope_scaling: fc.anything(),
    },
    { requiredKeys: [] },
  );
  const fileText = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: arb.map((v) => JSON.stringify(v)) }, { weight: 1, arbitrary: fc.string({ maxLength: 40 }) }, { weight: 1, arbitrary: fc.constant(undefined) });
  await fc.assert(
    fc.asyncProperty(fileText(tokenizerish), fileText(tokenizerConfig), fileText(config), fc.boolean(), fc.string({ maxLength: 20 }), async (tok, tc, cfg, loadMerges, text) => {
      for (const [name, content] of [["tokenizer.json", tok], ["tokenizer_config.json", tc], ["config.json", cfg]] as const) {
        if (content === undefined) fs.rmSync(path.join(dir, name), { force: true });
        else fs.writeFileSync(path.join(dir, name), content);
      }
      await parsesOrTypedError("loadSpecialVocab", () => loadSpecialVocab(dir, { loadMerges, nVocab: 300 }));
      const rawTok = await parsesOrTypedError("readJsonObject(tokenizer.json)", () => readJsonObject(path.join(dir, "tokenizer.json")).catch((e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? undefined : Promise.reject(e))));
      if (rawTok) {
        const enc = await parsesOrTypedError("new HfBpeEncoder", () => new HfBpeEncoder(rawTok, undefined));
        if (enc) await parsesOrTypedError("HfBpeEncoder.encode", () => enc.encode(text));
      }
      const rawCfg = await parsesOrTypedError("readJsonObject(config.json)", () => readJsonObject(path.join(dir, "config.json")).catch((e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? undefined : Promise.reject(e))));
      if (rawCfg) await parsesOrTypedError("buildHparams", () => buildHparams(rawCfg, path.join(dir, "config.json")));
    }),
    FC_PARAMS,
  );
});

test("fuzz: manifests — valid ones load, anything else is reported as unreadable, never thrown", async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, "0123456789ab.manifest.json");
  const manifestish = fc.record(
    {
      schemaVersion: fc.oneof(fc.constantFrom(1, 2, 0), fc.anything()),
      id: fc.oneof(fc.constant("0123456789ab"), fc.string({ maxLength: 14 })),
      identity: fc.string({ maxLength: 10 }),
      name: fc.anything(),
      root: fc.oneof(fc.constantFrom("cortex", "hf-cache", "extra"), fc.anything()),
      paths: fc.oneof(fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }), fc.anything()),
      provenance: fc.anything(),
      tags: fc.oneof(fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }), fc.anything()),
      createdAt: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string({ maxLength: 10 })),
      updatedAt: fc.anything(),
    },
    { requiredKeys: [] },
  );
  await fc.assert(
    fc.asyncProperty(fc.oneof(manifestish.map((m) => JSON.stringify(m)), fc.string({ maxLength: 60 })), async (text) => {
      fs.writeFileSync(file, text);
      const r = await parsesOrTypedError("readManifestFile", () => readManifestFile(file));
      assert.ok(r, "readManifestFile answers, it does not throw");
      if (!r.ok) assert.ok(r.reason.length > 0);
    }),
    FC_PARAMS,
  );
});

test("fuzz: Hub API answers (revision info and tree listings) — a RevisionInfo and safe RepoFiles, or a typed error", async (t) => {
  let answer: { info: string; tree: string; status: number } = { info: "{}", tree: "[]", status: 200 };
  const server = http.createServer((req, res) => {
    const body = req.url?.includes("/tree/") ? answer.tree : answer.info;
    res.writeHead(answer.status, { "content-type": "application/json" });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => server.close());
  const hubUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const entry = fc.record(
    {
      type: fc.oneof(fc.constantFrom("file", "directory"), fc.anything()),
      path: fc.oneof(fc.constantFrom("model.safetensors", "../../etc/passwd", "/abs", "a/./b", "a\\b", "ok/sub.json", "", "x\u0000y"), fc.string({ maxLength: 20 })),
      size: fc.oneof(fc.nat(), fc.constantFrom(-1, 2 ** 60, 1.5, "12"), fc.anything()),
      oid: fc.oneof(hex(40), fc.string({ maxLength: 12 })),
      lfs: fc.oneof(fc.constant(undefined), fc.record({ oid: fc.oneof(hex(64), fc.anything()), size: fc.oneof(fc.nat(), fc.anything()) }), fc.anything()),
    },
    { requiredKeys: [] },
  );
  const info = fc.record({ sha: fc.oneof(fc.constant("a".repeat(40)), fc.anything()), private: fc.anything(), gated: fc.anything(), id: fc.anything() }, { requiredKeys: [] });
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(info.map((i) => JSON.stringify(i)), fc.string({ maxLength: 30 })),
      fc.oneof(fc.array(fc.oneof(entry, fc.anything()), { maxLength: 6 }).map((a) => JSON.stringify(a)), fc.string({ maxLength: 30 })),
      fc.constantFrom(200, 200, 200, 404, 500, 302),
      async (infoBody, treeBody, status) => {
        answer = { info: infoBody, tree: treeBody, status };
        const c = new HubClient({ repo: "org/model", hubUrl, retries: 0, timeoutMs: 2000 });
        const rev = await parsesOrTypedError("revisionInfo", () => c.revisionInfo("main"));
        if (rev) assert.match(rev.commit, /^[0-9a-f]{40}$/);
        const files = await parsesOrTypedError("listFiles", () => c.listFiles("a".repeat(40)));
        for (const f of files ?? []) {
          assert.ok(!f.path.split("/").includes("..") && !path.isAbsolute(f.path), f.path);
          assert.ok(Number.isSafeInteger(f.size) && f.size >= 0);
          assert.match(f.etag, /^([0-9a-f]{40}|[0-9a-f]{64})$/);
        }
      },
    ),
    { ...FC_PARAMS, numRuns: Math.max(50, Math.round(FC_PARAMS.numRuns / (process.env.CORTEX_SOAK === "1" ? 1 : 2))) },
  );
});
