#!/usr/bin/env node
// Generates the TypeScript types of every proto/ message, enum and service with grpc-node's own
// proto-loader-gen-types, with the loader options the daemon and clients use (src/grpc/proto.ts LOADER_OPTIONS).
// Beside the types it writes descriptor.json (protobufjs JSON, field names as in proto/), which clients load
// with protobufjs/light instead of parsing .proto files at every start.
// `npm run gen:proto` writes src/grpc/generated/; test/structure/generated-types.test.ts runs it into a temp
// folder and fails when the checked-in copy differs.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.resolve(process.argv[2] ?? path.join(root, "src", "grpc", "generated"));
const require = createRequire(import.meta.url);
const bin = path.join(path.dirname(require.resolve("@grpc/proto-loader/package.json")), "build", "bin", "proto-loader-gen-types.js");
export const PROTO_FILES = ["cortex/v1/common.proto", "cortex/v1/models.proto", "cortex/v1/jobs.proto", "cortex/v1/inference.proto", "google/rpc/status.proto", "google/rpc/error_details.proto"];

fs.rmSync(out, { recursive: true, force: true });
const args = ["--keepCase", "--longs=Number", "--enums=String", "--defaults", "--oneofs", "--includeComments", "--grpcLib=@grpc/grpc-js", "--importFileExtension=.js", "-I", "proto", "-O", out, ...PROTO_FILES];
const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, stdio: "inherit" });
if (r.status !== 0) process.exit(r.status ?? 1);

const protobuf = require(require.resolve("protobufjs", { paths: [path.dirname(bin)] }));
const rootNs = new protobuf.Root();
rootNs.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(root, "proto", target));
rootNs.loadSync(PROTO_FILES.filter((f) => f.startsWith("cortex/")), { keepCase: true });
fs.writeFileSync(path.join(out, "descriptor.json"), `${JSON.stringify(rootNs.toJSON(), null, 1)}\n`);
