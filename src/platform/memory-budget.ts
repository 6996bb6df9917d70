/** What a GPU probe reports that the budget needs (the inference engine's DeviceInfo satisfies it). */
export interface BudgetDevice {
  gpu: string | false;
  vramTotalBytes: number;
  unifiedMemoryBytes: number;
}

export interface PoolMemoryBudget {
  /** Memory models can live in: unified memory on Apple Silicon, RAM + VRAM elsewhere. */
  totalBytes: number;
  ramBytes: number;
  vramBytes: number;
  unified: boolean;
  reserveBytes: number;
  /** What the pool may fill: configured, or total − reserve. */
  budgetBytes: number;
}

/**
 * The one memory budget of cortexd (pure): the inference pool's, GetStatus's before a runner has probed the GPU,
 * and the MLX size recipe's. On unified memory the GPU's share is part of RAM and is not added to it; elsewhere a
 * model's weights and KV cache can sit in VRAM or RAM, so both count.
 */
export function poolMemoryBudget(opts: { ramBytes: number; device: BudgetDevice | undefined; appleSilicon: boolean; reserveBytes: number; configuredBudgetBytes: number }): PoolMemoryBudget {
  const unified = opts.appleSilicon || (opts.device?.unifiedMemoryBytes ?? 0) > 0;
  const vram = unified || !opts.device?.gpu ? 0 : opts.device.vramTotalBytes;
  const total = opts.ramBytes + vram;
  const budget = opts.configuredBudgetBytes > 0 ? opts.configuredBudgetBytes : Math.max(0, total - opts.reserveBytes);
  return { totalBytes: total, ramBytes: opts.ramBytes, vramBytes: vram, unified, reserveBytes: opts.reserveBytes, budgetBytes: budget };
}
