import os from "node:os";

export function isAppleSilicon(): boolean {
  return process.platform === "darwin" && process.arch === "arm64";
}

export function platformInfo(cores: number): { os: string; arch: string; node_version: string; cpu_cores: number; apple_silicon: boolean; hostname: string } {
  return { os: `${process.platform} ${os.release()}`, arch: process.arch, node_version: process.version, cpu_cores: cores, apple_silicon: isAppleSilicon(), hostname: os.hostname() };
}
