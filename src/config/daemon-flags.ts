import { Command, Option } from "commander";
import { VERSION } from "../version.js";

/** The flags of `cortexd` and `cortex daemon`, as commander parses them (each maps onto a config key). */
export interface DaemonFlags {
  home?: string;
  listen?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
  http?: string;
  httpNoAuth?: boolean;
  redisUrl?: string;
  logLevel?: string;
  config?: string;
}

/** Flags of `cortexd` (and `cortex daemon`), mapped onto config keys. */
/** Declared here, apart from the daemon, so `cortex` can offer `daemon` without loading it. */
export function daemonCommand(name: string): Command {
  return new Command(name)
    .description("Run the cortexd daemon in the foreground (launchd/systemd supervise it; it never daemonizes itself)")
    .option("--home <dir>", "CORTEX_HOME (default ~/.cortex)")
    .option("--listen <host:port>", "also serve gRPC on TCP, bearer token required (e.g. 127.0.0.1:50051)")
    .option("--tls-cert <file>", "PEM certificate for the TCP listener (TLS)")
    .option("--tls-key <file>", "PEM private key of --tls-cert")
    .option("--tls-client-ca <file>", "PEM CA: TCP clients must present a certificate it signed (mTLS)")
    .option("--http <host:port>", "also serve the OpenAI- and Ollama-compatible HTTP APIs (e.g. 127.0.0.1:11435)")
    .option("--http-no-auth", "serve HTTP without the bearer token (loopback addresses only)")
    .option("--redis-url <url>", "external Redis instead of the embedded one")
    .addOption(new Option("--log-level <level>", "log level").choices(["fatal", "error", "warn", "info", "debug", "trace", "silent"]))
    .option("--config <file>", "config file (default $CORTEX_HOME/config.json)")
    .version(VERSION);
}

