import { CortexError } from "../../errors/cortex-error.js";

/** A body whose module has not landed in this build: fails at once, not retried, naming what is missing. */
export function notYet(what: string): never {
  throw new CortexError("REQ_UNIMPLEMENTED", `${what} is not available in this cortexd build`);
}
