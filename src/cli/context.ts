import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Command } from "commander";
import { expandHome } from "../config/text-values.js";
import { homePaths } from "../config/paths.js";
import { CortexClient, type Target } from "./client.js";

export interface GlobalOptions {
  home?: string;
  address?: string;
  token?: string;
  json?: boolean;
}

/** What every command gets: where the daemon is, how to print. The CLI reads its env only here, at run time. */
export class CliContext {
  readonly home: string;
  readonly json: boolean;
  private clientInstance: CortexClient | undefined;

  constructor(readonly opts: GlobalOptions, readonly env: NodeJS.ProcessEnv = process.env) {
    this.home = path.resolve(expandHome(opts.home ?? env.CORTEX_HOME ?? path.join(os.homedir(), ".cortex")));
    this.json = Boolean(opts.json);
  }

  static from(cmd: Command): CliContext {
    return new CliContext(cmd.optsWithGlobals() as GlobalOptions);
  }

  target(): Target {
    const address = this.opts.address ?? this.env.CORTEX_ADDRESS;
    if (address) {
      const token = this.opts.token ?? this.env.CORTEX_TOKEN ?? readToken(homePaths(this.home).token);
      // A daemon started with --tls-cert: trust CORTEX_TLS_CA (else the system's CAs); mTLS adds a client pair.
      const file = (name: string) => (this.env[name] ? fs.readFileSync(this.env[name]!) : undefined);
      const [ca, cert, key] = [file("CORTEX_TLS_CA"), file("CORTEX_TLS_CLIENT_CERT"), file("CORTEX_TLS_CLIENT_KEY")];
      const tls = ca || cert || key || /^tls:\/\//.test(address) ? { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) } : undefined;
      return { address: address.replace(/^tls:\/\//, ""), ...(token ? { token } : {}), ...(tls ? { tls } : {}) };
    }
    return { socket: homePaths(this.home).socket };
  }

  get client(): CortexClient {
    this.clientInstance ??= new CortexClient(this.target());
    return this.clientInstance;
  }

  /**
   * JSON for scripts (--json), or the human rendering. One shape convention: a JSON object, lists as named
   * arrays inside it (`{"jobs": [...]}`), never a bare array; field names as in proto/.
   */
  print<T extends object>(value: T extends readonly unknown[] ? never : T, human: () => string): void {
    process.stdout.write(this.json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
  }

  close(): void {
    this.clientInstance?.close();
  }
}

function readToken(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}
