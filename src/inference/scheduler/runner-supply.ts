import { errorMessage } from "../../errors/cortex-error.js";
import type { Logger } from "../../log/logger.js";
import type { DeviceInfo } from "../engine/engine-types.js";
import type { ModelRunner, RunnerFactory } from "../runner/model-runner.js";

/**
 * Hands out started runners. The first one also tells the pool the device (GPU, VRAM) before any load is planned
 * and becomes the first model's runner; with `keepSpare`, a replacement starts in the background each time one is
 * taken, so a cold load skips the runner's start (Node + llama.cpp backend, ~1.5 s on a 2-core machine).
 */
export class RunnerSupply {
  private spare: ModelRunner | undefined;
  private spareStarting: Promise<void> | undefined;
  private deviceInfo: Promise<DeviceInfo> | undefined;
  private closed = false;
  device: DeviceInfo | undefined;

  constructor(private readonly start: RunnerFactory, private readonly keepSpare: boolean, private readonly logger: Logger) {}

  /** The device, from the first runner (started on first use, kept as the spare). */
  ensureDevice(): Promise<DeviceInfo> {
    this.deviceInfo ??= this.start().then((r) => {
      this.adopt(r);
      this.device = r.device;
      return r.device;
    });
    this.deviceInfo.catch(() => (this.deviceInfo = undefined));
    return this.deviceInfo;
  }

  /** Whether runners have a GPU, once the first one has said (rejections are left to whoever awaits it). */
  gpuSettling(): Promise<boolean> {
    const p = this.ensureDevice().then((d) => d.gpu !== false);
    p.catch(() => undefined);
    return p;
  }

  /** The spare runner if there is one (or one is starting), else a new one; then starts the next spare. */
  async take(): Promise<ModelRunner> {
    if (!this.spare && this.spareStarting) await this.spareStarting;
    const r = this.spare ?? (await this.start());
    this.spare = undefined;
    if (this.keepSpare && !this.closed && !this.spareStarting) {
      this.spareStarting = this.start()
        .then(
          (next) => this.adopt(next),
          (err: unknown) => this.logger.warn({ err: errorMessage(err) }, "could not start a spare inference runner"),
        )
        .finally(() => (this.spareStarting = undefined));
    }
    return r;
  }

  /** Closes the spare (and one still starting); later runners are closed as soon as they arrive. */
  async stop(): Promise<void> {
    this.closed = true;
    await Promise.all([this.spareStarting, this.deviceInfo?.catch(() => undefined)]);
    const r = this.spare;
    this.spare = undefined;
    await r?.close().catch(() => undefined);
  }

  private adopt(r: ModelRunner): void {
    if (this.closed || this.spare) {
      void r.close().catch(() => undefined);
      return;
    }
    this.spare = r;
    r.onCrash(() => {
      if (this.spare === r) this.spare = undefined;
    });
  }
}
