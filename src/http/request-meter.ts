import type { ServerResponse } from "node:http";
import type { Api, Metrics } from "../metrics/metrics.js";
import type { HttpFailure } from "./http-errors.js";

/**
 * One inference request's measurements, reported once: success with its tokens and first-text time, or failure
 * with its error code. Created when the request arrives; found again by its response object.
 */
export class RequestMeter {
  private readonly t0 = performance.now();
  private firstAt = 0;
  private reported = false;

  constructor(
    private readonly metrics: Metrics,
    private readonly api: Api,
    private readonly endpoint: string,
    private readonly model: () => string,
  ) {}

  firstText(): void {
    if (!this.firstAt) this.firstAt = performance.now();
  }

  done(tokens: { promptTokens?: number; generatedTokens?: number } = {}): void {
    if (this.reported) return;
    this.reported = true;
    const now = performance.now();
    this.metrics.observe({ api: this.api, endpoint: this.endpoint, model: this.model(), seconds: (now - this.t0) / 1000, ...tokens, ...(this.firstAt ? { firstTokenSeconds: (this.firstAt - this.t0) / 1000 } : {}) });
  }

  failed(f: HttpFailure): void {
    if (this.reported) return;
    this.reported = true;
    // A model that does not exist is not a model: its name (client input) does not become a label.
    const model = f.error.code === "REG_NOT_FOUND" ? "" : this.model();
    this.metrics.observe({ api: this.api, endpoint: this.endpoint, model, seconds: (performance.now() - this.t0) / 1000, code: f.error.code });
  }
}

const meters = new WeakMap<ServerResponse, RequestMeter>();

export function attachMeter(res: ServerResponse, meter: RequestMeter): void {
  meters.set(res, meter);
}

export function meterOf(res: ServerResponse): RequestMeter | undefined {
  return meters.get(res);
}
