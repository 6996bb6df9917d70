import { fileURLToPath } from "node:url";
import fs from "node:fs";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { protoPath as healthProtoPath } from "grpc-health-check";

/** proto/ at the package root, found upward from this file (src/grpc/ or dist/src/grpc/). */
export const PROTO_DIR = findProtoDir(path.dirname(fileURLToPath(import.meta.url)));

function findProtoDir(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "proto");
    if (fs.existsSync(path.join(candidate, "cortex", "v1", "models.proto"))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`proto/ not found above ${from}`);
  }
}

export const PROTO_FILES = ["cortex/v1/common.proto", "cortex/v1/models.proto", "cortex/v1/jobs.proto", "cortex/v1/inference.proto"];

/** keepCase: the .proto field names are the wire contract (reflection clients send snake_case). */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
};

import { type ServiceName } from "./service-names.js";

export { SERVICE_NAMES, type ServiceName } from "./service-names.js";

let cached: { definition: protoLoader.PackageDefinition; withHealth: protoLoader.PackageDefinition } | undefined;

export function loadProtos(): { definition: protoLoader.PackageDefinition; withHealth: protoLoader.PackageDefinition } {
  cached ??= {
    definition: protoLoader.loadSync(PROTO_FILES, LOADER_OPTIONS),
    withHealth: protoLoader.loadSync([...PROTO_FILES, healthProtoPath], LOADER_OPTIONS),
  };
  return cached;
}

/** The server's definitions; clients use the generated descriptor instead (client.ts). */
export function serviceDefinition(name: ServiceName): grpc.ServiceDefinition {
  return loadProtos().definition[name] as grpc.ServiceDefinition;
}
