import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { ROOT } from "../helpers/daemon.js";

/** The wire paths: the gRPC layer (but its generated contract) and the CLI, which is nothing but a client. */
const WIRE_DIRS = ["src/grpc", "src/cli"];
const ANY = /(?<![\w$."'`])any(?![\w$"'`])(?=\s*(?:[;,)>\]|=&{]|\[\]|$))|\bas any\b|<any>|: any\b/m;

function files(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "generated") files(p, out);
    } else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out;
}

test("no `any` on a wire path: handlers, translators and the CLI use the generated types", () => {
  const hits: string[] = [];
  for (const dir of WIRE_DIRS) {
    for (const file of files(path.join(ROOT, dir))) {
      fs.readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, i) => {
          const code = line.replace(/\/\/.*$/, "").replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g, '""');
          if (/^\s*\*/.test(line) || /^\s*\/\*/.test(line)) return; // doc comments
          if (ANY.test(code)) hits.push(`${path.relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
        });
    }
  }
  assert.deepEqual(hits, []);
});

test("the check finds `any` in the forms code uses", () => {
  for (const sample of ["const x: any = 1;", "fn(y as any)", "let z: Array<any>;", "(a: any, b) => b", "type T = Record<string, any>;"]) assert.match(sample, ANY, sample);
  for (const sample of ["// any comment", "const company = 1;", "anything()"]) assert.doesNotMatch(sample.replace(/\/\/.*$/, ""), ANY, sample);
});
