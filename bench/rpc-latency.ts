import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { protoPath as healthProto } from "grpc-health-check";
import { startDaemon } from "../test/helpers/daemon.js";
import type { Benchmark } from "./harness.js";

const CALLS = 500;

/** Control-plane overhead: 500 sequential GetStatus calls (Redis INFO + queue counts) vs 500 bare Health.Check calls on the same socket. */
export const rpcLatency: Benchmark = {
  name: "rpc-latency",
  description: "GetStatus round trips vs grpc.health.v1 Check on the same unix socket (500 sequential calls)",
  async setup() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cxb-"));
    const d = await startDaemon(path.join(dir, "h"));
    const def = protoLoader.loadSync(healthProto, { keepCase: true });
    const Health = grpc.makeClientConstructor(def["grpc.health.v1.Health"] as grpc.ServiceDefinition, "Health");
    const health = new Health(`unix://${d.socket}`, grpc.credentials.createInsecure()) as grpc.Client & Record<string, Function>;
    const check = () => new Promise<void>((res, rej) => health.Check!({ service: "" }, (e: Error | null) => (e ? rej(e) : res())));
    return {
      cortexd: {
        label: `${CALLS}× ModelService.GetStatus`,
        run: async () => {
          for (let i = 0; i < CALLS; i++) await d.client.unary("cortex.v1.ModelService", "GetStatus", {});
        },
      },
      reference: {
        label: `${CALLS}× grpc.health.v1.Health/Check`,
        run: async () => {
          for (let i = 0; i < CALLS; i++) await check();
        },
      },
      async teardown() {
        health.close();
        await d.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
