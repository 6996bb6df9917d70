import protobuf from "protobufjs/minimal.js";

/**
 * Encodes and decodes cortex.v1 messages from the generated descriptor (generated/descriptor.json) with
 * protobufjs/minimal's Reader and Writer: what a client needs, without loading protobufjs' reflection and code
 * generation (about 30 ms of CPU at every CLI start). Objects look exactly as the daemon's proto-loader options
 * make them (field names as in proto/, enums as names, 64-bit integers as numbers, defaults filled, proto3
 * `optional` fields absent when unset); test/structure/wire-codec.test.ts holds it to protobufjs byte for byte.
 * An enum value the contract does not define is an error naming the field, never a silent 0.
 */
export interface DescriptorField {
  type: string;
  id: number;
  rule?: string;
  options?: { proto3_optional?: boolean };
}
export interface DescriptorNamespace {
  nested?: Record<string, DescriptorNamespace>;
  fields?: Record<string, DescriptorField>;
  values?: Record<string, number>;
  oneofs?: Record<string, { oneof: string[] }>;
  methods?: Record<string, { requestType: string; responseType: string; responseStream?: boolean; requestStream?: boolean }>;
}

/** A value the contract does not define (an unknown enum name or number, a wrong shape), named by its field path. */
export class ContractError extends Error {
  override readonly name = "ContractError";
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

type Scalar = "double" | "float" | "int32" | "uint32" | "int64" | "uint64" | "bool" | "string" | "bytes";
const WIRE: Record<Scalar, number> = { double: 1, float: 5, int32: 0, uint32: 0, int64: 0, uint64: 0, bool: 0, string: 2, bytes: 2 };
const isScalar = (t: string): t is Scalar => t in WIRE;

interface Field {
  name: string;
  id: number;
  repeated: boolean;
  /** Part of a oneof (incl. proto3 `optional`): no default is filled, presence is kept. */
  oneof?: string;
  scalar?: Scalar;
  enumType?: EnumType;
  message?: () => MessageType;
}
export interface EnumType {
  name: string;
  values: Record<string, number>;
  names: Map<number, string>;
}
export interface MessageType {
  name: string;
  fields: Field[];
  byId: Map<number, Field>;
  oneofs: [string, string[]][];
}

/** The message and enum types of one package of the descriptor, resolved lazily by name. */
export class WireCodec {
  private readonly messages = new Map<string, MessageType>();
  private readonly enums = new Map<string, EnumType>();

  constructor(private readonly pkg: DescriptorNamespace) {}

  method(service: string, name: string): { request: MessageType; response: MessageType; responseStream: boolean } {
    const m = this.pkg.nested?.[service]?.methods?.[name];
    if (!m) throw new ContractError(`${service} has no method ${name}`, name);
    return { request: this.message(m.requestType), response: this.message(m.responseType), responseStream: Boolean(m.responseStream) };
  }

  methods(service: string): string[] {
    return Object.keys(this.pkg.nested?.[service]?.methods ?? {});
  }

  message(name: string): MessageType {
    let t = this.messages.get(name);
    if (t) return t;
    const def = this.pkg.nested?.[name];
    if (!def?.fields) throw new Error(`descriptor: ${name} is not a message`);
    const oneofOf = new Map<string, string>();
    for (const [o, { oneof }] of Object.entries(def.oneofs ?? {})) for (const f of oneof) oneofOf.set(f, o);
    const fields: Field[] = Object.entries(def.fields).map(([fname, f]) => {
      const field: Field = { name: fname, id: f.id, repeated: f.rule === "repeated" };
      const oneof = oneofOf.get(fname);
      if (oneof) field.oneof = oneof;
      if (isScalar(f.type)) field.scalar = f.type;
      else if (this.pkg.nested?.[f.type]?.values) field.enumType = this.enumType(f.type);
      else field.message = () => this.message(f.type);
      return field;
    });
    t = { name, fields, byId: new Map(fields.map((f) => [f.id, f])), oneofs: Object.entries(def.oneofs ?? {}).map(([o, { oneof }]) => [o, oneof]) };
    this.messages.set(name, t);
    return t;
  }

  private enumType(name: string): EnumType {
    let e = this.enums.get(name);
    if (!e) {
      const values = this.pkg.nested![name]!.values!;
      e = { name, values, names: new Map(Object.entries(values).map(([k, v]) => [v, k])) };
      this.enums.set(name, e);
    }
    return e;
  }
}

function enumNumber(e: EnumType, v: unknown, path: string): number {
  if (typeof v === "number" && e.names.has(v)) return v;
  if (typeof v === "string" && Object.prototype.hasOwnProperty.call(e.values, v)) return e.values[v]!;
  throw new ContractError(`${path}: ${JSON.stringify(v)} is not a ${e.name} (one of ${Object.keys(e.values).join(", ")})`, path);
}

function isDefault(f: Field, v: unknown): boolean {
  if (f.message) return false;
  if (f.enumType) return v === 0 || v === Object.keys(f.enumType.values)[0];
  return v === 0 || v === "" || v === false || (v instanceof Uint8Array && v.length === 0);
}

function writeScalar(w: protobuf.Writer, t: Scalar, v: unknown, path: string): void {
  const num = (): number => {
    const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
    if (typeof n !== "number" || !Number.isFinite(n)) throw new ContractError(`${path}: ${JSON.stringify(v)} is not a number`, path);
    return n;
  };
  switch (t) {
    case "double": return void w.double(num());
    case "float": return void w.float(num());
    case "int32": return void w.int32(num());
    case "uint32": return void w.uint32(num());
    case "int64": return void w.int64(num());
    case "uint64": return void w.uint64(num());
    case "bool": return void w.bool(Boolean(v));
    case "string":
      if (typeof v !== "string") throw new ContractError(`${path}: ${JSON.stringify(v)} is not a string`, path);
      return void w.string(v);
    case "bytes": return void w.bytes(v as Uint8Array);
  }
}

function writeMessage(w: protobuf.Writer, type: MessageType, value: unknown, path: string): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ContractError(`${path || type.name}: expected a ${type.name} object`, path);
  const obj = value as Record<string, unknown>;
  for (const f of type.fields) {
    const v = obj[f.name];
    if (v === undefined || v === null) continue;
    const at = path ? `${path}.${f.name}` : f.name;
    if (f.repeated) {
      if (!Array.isArray(v)) throw new ContractError(`${at}: expected a list`, at);
      if (v.length === 0) continue;
      if (f.scalar && WIRE[f.scalar] !== 2 || f.enumType) {
        // proto3 packs repeated numbers.
        w.uint32((f.id << 3) | 2).fork();
        v.forEach((x, i) => (f.enumType ? w.int32(enumNumber(f.enumType, x, `${at}[${i}]`)) : writeScalar(w, f.scalar!, x, `${at}[${i}]`)));
        w.ldelim();
      } else v.forEach((x, i) => writeOne(w, f, x, `${at}[${i}]`));
      continue;
    }
    if (!f.oneof && isDefault(f, v)) continue;
    writeOne(w, f, v, at);
  }
}

function writeOne(w: protobuf.Writer, f: Field, v: unknown, at: string): void {
  if (f.message) {
    w.uint32((f.id << 3) | 2).fork();
    writeMessage(w, f.message(), v, at);
    w.ldelim();
  } else if (f.enumType) w.uint32(f.id << 3).int32(enumNumber(f.enumType, v, at));
  else {
    w.uint32((f.id << 3) | WIRE[f.scalar!]);
    writeScalar(w, f.scalar!, v, at);
  }
}

export function encode(type: MessageType, value: unknown): Uint8Array {
  const w = protobuf.Writer.create();
  writeMessage(w, type, value, "");
  return w.finish();
}

function readScalar(r: protobuf.Reader, t: Scalar): unknown {
  switch (t) {
    case "double": return r.double();
    case "float": return r.float();
    case "int32": return r.int32();
    case "uint32": return r.uint32();
    case "int64": return longToNumber(r.int64());
    case "uint64": return longToNumber(r.uint64());
    case "bool": return r.bool();
    case "string": return r.string();
    case "bytes": return Buffer.from(r.bytes());
  }
}

/** protobufjs/minimal hands 64-bit values as numbers, or as {low, high} when the long package is present. */
function longToNumber(v: protobuf.Long | number): number {
  if (typeof v === "number") return v;
  const { low, high, unsigned } = v as unknown as { low: number; high: number; unsigned: boolean };
  return (unsigned ? high >>> 0 : high) * 2 ** 32 + (low >>> 0);
}

function readOne(r: protobuf.Reader, f: Field): unknown {
  if (f.message) return decodeFrom(r, f.message(), r.uint32());
  if (f.enumType) {
    const n = r.int32();
    return f.enumType.names.get(n) ?? n; // an unknown number stays a number, as proto-loader keeps it
  }
  return readScalar(r, f.scalar!);
}

function decodeFrom(r: protobuf.Reader, type: MessageType, length?: number): Record<string, unknown> {
  const end = length === undefined ? r.len : r.pos + length;
  const out: Record<string, unknown> = {};
  while (r.pos < end) {
    const tag = r.uint32();
    const f = type.byId.get(tag >>> 3);
    if (!f) {
      r.skipType(tag & 7);
      continue;
    }
    if (f.repeated) {
      const list = (out[f.name] ??= []) as unknown[];
      if ((tag & 7) === 2 && !f.message && (f.enumType || WIRE[f.scalar!] !== 2)) {
        const stop = r.uint32() + r.pos;
        while (r.pos < stop) list.push(readOne(r, f));
      } else list.push(readOne(r, f));
    } else out[f.name] = readOne(r, f);
  }
  // Defaults as proto-loader's `defaults: true` fills them; oneof members (and proto3 optionals) stay absent.
  for (const f of type.fields) {
    if (f.name in out || f.oneof) continue;
    out[f.name] = f.repeated ? [] : f.message ? null : f.enumType ? f.enumType.names.get(0) ?? 0 : f.scalar === "string" ? "" : f.scalar === "bool" ? false : f.scalar === "bytes" ? Buffer.alloc(0) : 0;
  }
  for (const [o, members] of type.oneofs) {
    const set = members.find((m) => m in out);
    if (set) out[o] = set;
  }
  return out;
}

export function decode(type: MessageType, bytes: Uint8Array): Record<string, unknown> {
  return decodeFrom(protobuf.Reader.create(bytes), type);
}
