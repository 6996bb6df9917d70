import type { ModelRecord } from "../store/model-types.js";
import { runnablePath } from "../inference/store-resolver.js";

export interface RunnableModel {
  /** What a client sends back as `model`: the store's name when it is unique, else the id. */
  name: string;
  record: ModelRecord;
}

/** The models the pool can run (GGUF, SafeTensors checkpoints it converts), named as clients will ask for them. */
export function runnableModels(all: readonly ModelRecord[]): RunnableModel[] {
  const ok = all.filter((m) => {
    try {
      runnablePath(m, m.id);
      return true;
    } catch {
      return false;
    }
  });
  const count = new Map<string, number>();
  for (const m of ok) count.set(m.name, (count.get(m.name) ?? 0) + 1);
  return ok.map((record) => ({ name: count.get(record.name) === 1 ? record.name : record.id, record })).sort((a, b) => a.name.localeCompare(b.name));
}
