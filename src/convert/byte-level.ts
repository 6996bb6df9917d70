/**
 * GPT-2 `bytes_to_unicode`: each byte maps to a printable character (printable Latin-1 bytes to themselves,
 * the rest to U+0100 upwards: space → "Ġ", newline → "Ċ"). Byte-level BPE vocabularies spell tokens this way.
 */
export function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const out = new Array<string>(256);
  for (const b of bs) out[b] = String.fromCodePoint(b);
  let n = 0;
  for (let b = 0; b < 256; b++) if (out[b] === undefined) out[b] = String.fromCodePoint(256 + n++);
  return out;
}
