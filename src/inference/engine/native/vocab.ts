import type { Token, Tokenizer } from "node-llama-cpp";
import { CortexError } from "../../../errors/cortex-error.js";
import type { LlamaApi, Ptr } from "./llama-api.js";

const NO_TOKEN = -1;

/** A model's vocabulary through llama.cpp's own tokenizer: what llama-server tokenizes and detokenizes with. */
export class Vocab {
  private pieceBuf = Buffer.alloc(256);
  private tokBuf = new Int32Array(1024);
  readonly nTokens: number;
  readonly bos: number;
  readonly addBos: boolean;

  constructor(
    private readonly api: LlamaApi,
    readonly ptr: Ptr,
  ) {
    this.nTokens = api.fn.vocabNTokens(ptr) as number;
    this.bos = api.fn.vocabBos(ptr) as number;
    this.addBos = api.fn.vocabAddBos(ptr) as boolean;
  }

  /** llama_tokenize: `addSpecial` adds BOS/EOS as the vocab asks; `parseSpecial` turns special-token text into those tokens. */
  tokenize(text: string, addSpecial: boolean, parseSpecial: boolean): Int32Array {
    const bytes = Buffer.from(text, "utf8");
    for (;;) {
      const n = this.api.fn.tokenize(this.ptr, bytes, bytes.length, this.tokBuf, this.tokBuf.length, addSpecial, parseSpecial) as number;
      if (n >= 0) return this.tokBuf.slice(0, n);
      if (n === -2147483648) throw new CortexError("REQ_INVALID_ARGUMENT", "the text has too many tokens");
      this.tokBuf = new Int32Array(-n + 16);
    }
  }

  /** The bytes of one token (special tokens render as nothing unless `special`), valid until the next call. */
  pieceBytes(token: number, special = false): Uint8Array {
    for (;;) {
      const n = this.api.fn.tokenToPiece(this.ptr, token, this.pieceBuf, this.pieceBuf.length, 0, special) as number;
      if (n >= 0) return this.pieceBuf.subarray(0, n);
      this.pieceBuf = Buffer.alloc(-n + 16);
    }
  }

  detokenize(tokens: readonly number[] | Int32Array, special = false): string {
    const decoder = new TextDecoder("utf-8");
    let text = "";
    for (const t of tokens) text += decoder.decode(this.pieceBytes(t, special), { stream: true });
    return text + decoder.decode();
  }

  isEog(token: number): boolean {
    return this.api.fn.vocabIsEog(this.ptr, token) as boolean;
  }

  isControl(token: number): boolean {
    return this.api.fn.vocabIsControl(this.ptr, token) as boolean;
  }

  text(token: number): string {
    return (this.api.fn.vocabGetText(this.ptr, token) as string | null) ?? "";
  }

  private builtin(name: string): number {
    const f = this.api.fn;
    switch (name) {
      case "BOS":
        return f.vocabBos(this.ptr) as number;
      case "EOS":
        return f.vocabEos(this.ptr) as number;
      case "EOT":
        return f.vocabEot(this.ptr) as number;
      case "SEP":
        return f.vocabSep(this.ptr) as number;
      case "NL":
        return f.vocabNl(this.ptr) as number;
      default:
        return NO_TOKEN;
    }
  }

  /** node-llama-cpp's Tokenizer shape, so its chat wrappers render and tokenize prompts with this vocabulary. */
  tokenizer(): Tokenizer {
    const tokenize = ((text: string, specialTokens?: boolean | "builtin", options?: "trimLeadingSpace"): Token[] => {
      if (specialTokens === "builtin") {
        const t = this.builtin(text);
        return t === NO_TOKEN ? [] : [t as Token];
      }
      // llama.cpp adds SPM's leading space itself; "trimLeadingSpace" asks for the text as it is, mid-sequence.
      void options;
      return Array.from(this.tokenize(text, false, specialTokens === true)) as Token[];
    }) as Tokenizer;
    return Object.assign(tokenize, {
      detokenize: (tokens: readonly Token[], specialTokens?: boolean) => this.detokenize(tokens as readonly number[], specialTokens === true),
      isSpecialToken: (token: Token) => this.isControl(token as number),
      isEogToken: (token: Token) => this.isEog(token as number),
    }) as unknown as Tokenizer;
  }
}
