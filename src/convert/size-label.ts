/**
 * gguf-py's `size_label` / `model_weight_count_rounded_notation` ("1.5B", "135M", "8x7.0B"), with Python's
 * rounding: `round()` and `f"{x:.Nf}"` round the exact binary value half-to-even, unlike Math.round and
 * toFixed.
 */
export function sizeLabel(totalParams: number, sharedParams = totalParams, expertParams = 0, expertCount = 0): string {
  if (expertCount > 0) return `${expertCount}x${roundedNotation(Math.abs(sharedParams) + Math.abs(expertParams), 2)}`;
  return roundedNotation(Math.abs(totalParams), 2);
}

function roundedNotation(count: number, minDigits: number): string {
  let scaled: number;
  let suffix: string;
  if (count > 1e12) [scaled, suffix] = [count * 1e-12, "T"];
  else if (count > 1e9) [scaled, suffix] = [count * 1e-9, "B"];
  else if (count > 1e6) [scaled, suffix] = [count * 1e-6, "M"];
  else [scaled, suffix] = [count * 1e-3, "K"];
  const rounded = pyFixed(scaled, 0).replace(/^0+/, "");
  const fix = Math.max(minDigits - rounded.length, 0);
  return `${pyFixed(scaled, fix)}${suffix}`;
}

/** Python's `format(x, ".Nf")` for a finite non-negative double: exact value, ties to even. */
export function pyFixed(x: number, digits: number): string {
  // x = mant · 2^exp exactly; scale to an integer numerator over a power of two.
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  const e = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp: number;
  if (e === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = e - 1075;
  }
  // value · 10^digits = mant · 2^exp · 10^digits
  let num = mant * 10n ** BigInt(digits);
  let den = 1n;
  if (exp >= 0) num <<= BigInt(exp);
  else den <<= BigInt(-exp);
  let q = num / den;
  const r2 = (num % den) * 2n;
  if (r2 > den || (r2 === den && q % 2n === 1n)) q += 1n;
  const s = q.toString().padStart(digits + 1, "0");
  return digits === 0 ? s : `${s.slice(0, -digits)}.${s.slice(-digits)}`;
}
