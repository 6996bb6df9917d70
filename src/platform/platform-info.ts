import os from "node:os";

export function isAppleSilicon(): boolean {
  return process.platform === "darwin" && process.arch === "arm64";
}

export function platformInfo(cores: number): { os: string; arch: string; node_version: string; cpu_cores: number; apple_silicon: boolean; hostname: string } {
  return { os: `${process.platform} ${os.release()}`, arch: process.arch, node_version: process.version, cpu_cores: cores, apple_silicon: isAppleSilicon(), hostname: os.hostname() };
}

/**
 * The memory cortexd may fill with resident models: on Apple Silicon, unified memory (RAM shared with the GPU);
 * elsewhere RAM here, plus VRAM once the inference pool probes GPUs. Budget = total − reserve unless configured.
 */
export function memoryBudget(opts: { reserveBytes: number; budgetBytes: number; usedBytes?: number }): { total_bytes: number; reserve_bytes: number; budget_bytes: number; used_bytes: number; unified: boolean } {
  const total = os.totalmem();
  const budget = opts.budgetBytes > 0 ? opts.budgetBytes : Math.max(0, total - opts.reserveBytes);
  return { total_bytes: total, reserve_bytes: opts.reserveBytes, budget_bytes: budget, used_bytes: opts.usedBytes ?? 0, unified: isAppleSilicon() };
}
