import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { ROOT } from "../helpers/daemon.js";
import { compiledImports, roomOf, type ImportEdge } from "./import-graph.js";

/**
 * The rooms of src/ (and workers/), lowest first. A room may import its own files and rooms on lower floors,
 * never a room on its own floor or above: dependencies flow one way, towards the leaves. README's Layout names
 * the same rooms. A new back-edge fails here with the files that make it.
 */
export const FLOORS: readonly (readonly string[])[] = [
  ["errors", "log", "version.js"],
  ["platform"],
  ["config", "formats"],
  ["hub", "redis", "service"],
  ["mlx"],
  ["convert"],
  ["store"],
  ["quantize"],
  ["jobs"],
  ["inference"],
  ["metrics"],
  ["grpc"],
  ["http"],
  ["daemon", "workers"],
  ["cli", "main.js"],
];

const floorOf = new Map(FLOORS.flatMap((rooms, i) => rooms.map((r) => [r, i] as const)));

/** Imports between rooms that do not flow down, and rooms that have no floor. */
export function backEdges(edges: readonly ImportEdge[]): { back: string[]; unknown: string[] } {
  const unknown = new Set<string>();
  const back: string[] = [];
  for (const e of edges) {
    if (!isOurs(e.to)) continue;
    const [a, b] = [roomOf(e.from), roomOf(e.to)];
    if (a === b) continue;
    const [fa, fb] = [floorOf.get(a), floorOf.get(b)];
    if (fa === undefined) unknown.add(a);
    if (fb === undefined) unknown.add(b);
    if (fa === undefined || fb === undefined) continue;
    if (fb >= fa) back.push(`${e.from} -> ${e.to}${e.dynamic ? " (dynamic)" : ""}  [${a} floor ${fa} -> ${b} floor ${fb}]`);
  }
  return { back, unknown: [...unknown] };
}

const isOurs = (p: string) => p.startsWith(`src${path.sep}`) || p.startsWith(`workers${path.sep}`);

test("every import in the compiled code flows down the floors: zero back-edges", () => {
  const { back, unknown } = backEdges(compiledImports(path.join(ROOT, "dist"), ["src", "workers"]));
  assert.deepEqual(unknown, [], "rooms without a floor: add them to FLOORS and to README's Layout");
  assert.deepEqual(back, [], "imports that run back up");
});

test("the check sees a back-edge and a room on the same floor (the checker itself can fail)", () => {
  const j = (...p: string[]) => path.join(...p);
  const { back, unknown } = backEdges([
    { from: j("src", "hub", "blob-lock.js"), to: j("src", "daemon", "lock-file.js"), dynamic: false },
    { from: j("src", "hub", "a.js"), to: j("src", "redis", "b.js"), dynamic: true },
    { from: j("src", "daemon", "daemon.js"), to: j("src", "hub", "blob-lock.js"), dynamic: false },
    { from: j("src", "attic", "x.js"), to: j("src", "errors", "codes.js"), dynamic: false },
  ]);
  assert.equal(back.length, 2);
  assert.ok(back[0]!.endsWith(`[hub floor ${floorOf.get("hub")} -> daemon floor ${floorOf.get("daemon")}]`), back[0]);
  assert.match(back[1]!, /\(dynamic\)/);
  assert.deepEqual(unknown, ["attic"]);
});
