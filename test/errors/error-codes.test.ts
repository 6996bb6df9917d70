import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { ERROR_CODES } from "../../src/errors/codes.js";
import { CortexError, parseCortexErrorString, toCortexError } from "../../src/errors/cortex-error.js";
import { toGrpcError } from "../../src/grpc/map-error.js";
import { ROOT } from "../helpers/daemon.js";

test("each error code maps to its gRPC status and carries the cortex code in metadata", () => {
  const e = toGrpcError(new CortexError("REQ_INVALID_ARGUMENT", "repo is required"));
  assert.equal(e.code, grpc.status.INVALID_ARGUMENT);
  assert.equal(e.details, "repo is required");
  assert.deepEqual(e.metadata.get("cortex-error-code"), ["REQ_INVALID_ARGUMENT"]);
  assert.equal(toGrpcError(new CortexError("HUB_GATED", "x")).code, grpc.status.PERMISSION_DENIED);
  assert.equal(toGrpcError(new Error("boom")).code, grpc.status.INTERNAL);
});

test("unknown throwables are normalised: ENOSPC → IO_NO_SPACE, others INTERNAL; the wire form round-trips", () => {
  const enospc = Object.assign(new Error("write failed"), { code: "ENOSPC" });
  assert.equal(toCortexError(enospc).code, "IO_NO_SPACE");
  assert.equal(toCortexError("weird").code, "INTERNAL");
  const back = parseCortexErrorString(new CortexError("HUB_NOT_FOUND", "repo org/x not found").toString());
  assert.equal(back.code, "HUB_NOT_FOUND");
  assert.equal(back.message, "repo org/x not found");
  assert.equal(parseCortexErrorString("NOT_A_CODE: hi").code, "INTERNAL");
});

test("every error code is documented in README.md", () => {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const missing = Object.keys(ERROR_CODES).filter((code) => !readme.includes(`\`${code}\``));
  assert.deepEqual(missing, [], "codes missing from README's error table");
});
