import assert from "node:assert/strict";
import net from "node:net";
import path from "node:path";
import { createRequire } from "node:module";
import { test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { protoPath as healthProto } from "grpc-health-check";
import { CortexClient } from "../../src/cli/client.js";
import { fileMode, runDaemonToExit, startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";
import fs from "node:fs";

const require = createRequire(import.meta.url);
const reflectionProto = path.join(path.dirname(require.resolve("@grpc/reflection/package.json")), "build/proto/grpc/reflection/v1/reflection.proto");

function healthClient(target: string): grpc.Client & Record<string, Function> {
  const def = protoLoader.loadSync(healthProto, { keepCase: true, enums: String });
  const Ctor = grpc.makeClientConstructor(def["grpc.health.v1.Health"] as grpc.ServiceDefinition, "Health");
  return new Ctor(target, grpc.credentials.createInsecure()) as never;
}

test("grpc.health.v1 reports SERVING for the daemon and each service, NOT_FOUND for unknown ones", async (t) => {
  const d = await startDaemon(path.join(tempDir(t), "h"));
  t.after(() => d.stop());
  const health = healthClient(`unix://${d.socket}`);
  t.after(() => health.close());
  const check = (service: string) =>
    new Promise<{ err: grpc.ServiceError | null; res?: { status: string } }>((resolve) => health.Check!({ service }, (err: grpc.ServiceError | null, res: { status: string }) => resolve({ err, res })));
  for (const service of ["", "cortex.v1.ModelService", "cortex.v1.JobService", "cortex.v1.InferenceService"]) {
    const r = await check(service);
    assert.equal(r.err, null);
    assert.equal(r.res?.status, "SERVING", service);
  }
  const unknown = await check("cortex.v1.Nope");
  assert.equal(unknown.err?.code, grpc.status.NOT_FOUND);
});

test("server reflection (v1) lists the cortex services and health", async (t) => {
  const d = await startDaemon(path.join(tempDir(t), "h"));
  t.after(() => d.stop());
  const def = protoLoader.loadSync(reflectionProto, { keepCase: true });
  const Ctor = grpc.makeClientConstructor(def["grpc.reflection.v1.ServerReflection"] as grpc.ServiceDefinition, "ServerReflection");
  const client = new Ctor(`unix://${d.socket}`, grpc.credentials.createInsecure()) as grpc.Client & Record<string, Function>;
  t.after(() => client.close());
  const call = client.ServerReflectionInfo!() as grpc.ClientDuplexStream<object, { list_services_response?: { service: { name: string }[] } }>;
  const names = await new Promise<string[]>((resolve, reject) => {
    call.on("data", (msg) => {
      resolve(msg.list_services_response?.service.map((svc: { name: string }) => svc.name) ?? []);
      call.end();
    });
    call.on("error", reject);
    call.write({ list_services: "" });
  });
  for (const name of ["cortex.v1.ModelService", "cortex.v1.JobService", "cortex.v1.InferenceService", "grpc.health.v1.Health"]) assert.ok(names.includes(name), `${name} in ${names}`);
});

test("TCP listener requires the bearer token: none or wrong → UNAUTHENTICATED, right → OK; token file is 0600", async (t) => {
  const home = path.join(tempDir(t), "h");
  const d = await startDaemon(home, { args: ["--listen", "127.0.0.1:0"] });
  t.after(() => d.stop());
  const status = await d.client.unary("cortex.v1.ModelService", "GetStatus", {});
  const address = status.listeners.find((l) => l.startsWith("127.0.0.1:"));
  assert.ok(address, `a TCP listener in ${status.listeners}`);
  const tokenFile = path.join(home, "token");
  assert.equal(fileMode(tokenFile), 0o600);
  const token = fs.readFileSync(tokenFile, "utf8").trim();
  assert.ok(token.length >= 32);

  const call = async (tok?: string) => {
    const c = new CortexClient({ address, ...(tok === undefined ? {} : { token: tok }) });
    try {
      return await c.unary("cortex.v1.ModelService", "GetStatus", {});
    } finally {
      c.close();
    }
  };
  await assert.rejects(call(), (err: Error & { grpcCode?: number }) => err.grpcCode === grpc.status.UNAUTHENTICATED && /missing bearer token/.test(err.message));
  await assert.rejects(call("wrong-token"), (err: Error & { grpcCode?: number }) => err.grpcCode === grpc.status.UNAUTHENTICATED && /invalid bearer token/.test(err.message));
  const ok = await call(token);
  assert.match(ok.version, /^\d+\.\d+\.\d+/);
  assert.ok(!d.output().includes(token), "the token never appears in logs");
});

test("a TCP port already in use is a clear error naming it", async (t) => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
  t.after(() => blocker.close());
  const port = (blocker.address() as net.AddressInfo).port;
  const r = await runDaemonToExit(path.join(tempDir(t), "h"), ["--listen", `127.0.0.1:${port}`]);
  assert.equal(r.code, 75);
  assert.match(r.output, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: address already in use`));
});
