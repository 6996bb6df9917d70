import fs from "node:fs";
import * as grpc from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import { CortexError } from "../errors/cortex-error.js";

/**
 * grpc.health.v1 alone on a unix socket (0600): what a `cortex worker` serves, so a supervisor or a probe
 * (grpc_health_probe, grpcurl) can ask it SERVING / NOT_SERVING without any cortex.v1 service.
 */
export class HealthServer {
  private readonly health = new HealthImplementation({ "": "NOT_SERVING" });
  private readonly server = new grpc.Server();

  constructor(private readonly socketPath: string) {
    this.health.addToServer(this.server);
  }

  async start(): Promise<void> {
    const oldMask = process.umask(0o077);
    try {
      await new Promise<void>((resolve, reject) =>
        this.server.bindAsync(`unix://${this.socketPath}`, grpc.ServerCredentials.createInsecure(), (err) =>
          err ? reject(new CortexError("DAEMON_UNAVAILABLE", `cannot listen on ${this.socketPath}: ${err.message}`)) : resolve(),
        ),
      );
    } finally {
      process.umask(oldMask);
    }
    fs.chmodSync(this.socketPath, 0o600);
  }

  setServing(serving: boolean): void {
    this.health.setStatus("", serving ? "SERVING" : "NOT_SERVING");
  }

  async stop(timeoutMs: number): Promise<void> {
    this.setServing(false);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.server.forceShutdown(), timeoutMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
