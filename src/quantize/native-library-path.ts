/**
 * Where node-llama-cpp keeps the prebuilt llama.cpp shared libraries for this platform, and which files in
 * that directory are libggml-base, libggml and libllama. Pure path logic (no koffi) so it can be tested for
 * every platform on any machine.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { CortexError } from "../errors/cortex-error.js";

/** The three libraries the quantizer loads, as absolute paths. */
export interface NativeLibraryFiles {
  readonly dir: string;
  readonly ggmlBase: string;
  readonly ggml: string;
  readonly llama: string;
}

/** A prebuilt package and the `bins/` sub-folder node-llama-cpp uses for it. */
export interface PrebuiltPackage {
  readonly name: string;
  readonly folder: string;
}

/**
 * node-llama-cpp's prebuilt binary packages for a platform, best first — the ones it picks itself for a CPU or
 * Metal build (`getPrebuiltBinariesPackageDirectoryForBuildOptions`). GPU variants come last: their
 * libggml-base and libllama load without the GPU runtime because ggml loads backends lazily.
 */
export function prebuiltPackagesFor(platform: NodeJS.Platform, arch: string): PrebuiltPackage[] {
  const p = (name: string): PrebuiltPackage => ({ name: `@node-llama-cpp/${name}`, folder: name });
  if (platform === "darwin") {
    if (arch === "arm64") return [p("mac-arm64-metal")];
    if (arch === "x64") return [p("mac-x64")];
  } else if (platform === "linux") {
    if (arch === "x64") return [p("linux-x64"), p("linux-x64-vulkan"), p("linux-x64-cuda")];
    if (arch === "arm64") return [p("linux-arm64")];
    if (arch === "arm") return [p("linux-armv7l")];
    if (arch === "riscv64") return [p("linux-riscv64")];
  } else if (platform === "win32") {
    if (arch === "x64") return [p("win-x64"), p("win-x64-vulkan"), p("win-x64-cuda")];
    if (arch === "arm64") return [p("win-arm64")];
  }
  return [];
}

function libPattern(stem: string, platform: NodeJS.Platform): RegExp {
  // libllama.v0.5.0.so, libllama.metal.v0.5.0.dylib, llama.v0.5.0.dll, or unsuffixed libllama.so.
  const ext = platform === "darwin" ? "dylib" : platform === "win32" ? "dll" : "so";
  const prefix = platform === "win32" ? "(?:lib)?" : "lib";
  return new RegExp(`^${prefix}${stem}(?:\\.[A-Za-z0-9_.]+)?\\.${ext}$`);
}

/**
 * Identify libggml-base, libggml and libllama among a directory's file names.
 * @returns undefined when one of them is missing.
 */
export function pickNativeLibraries(dir: string, fileNames: readonly string[], platform: NodeJS.Platform): NativeLibraryFiles | undefined {
  const find = (stem: string) => {
    const re = libPattern(stem, platform);
    // Shortest name wins, so libllama.v0.5.0.so beats a stray libllama.v0.5.0.so.bak-like match.
    return fileNames.filter((f) => re.test(f)).sort((a, b) => a.length - b.length)[0];
  };
  const ggmlBase = find("ggml-base");
  const ggml = find("ggml");
  const llama = find("llama");
  if (!ggmlBase || !ggml || !llama) return undefined;
  return { dir, ggmlBase: path.join(dir, ggmlBase), ggml: path.join(dir, ggml), llama: path.join(dir, llama) };
}

/** Options for locating the libraries. */
export interface LocateOptions {
  /** Use this directory instead of node-llama-cpp's prebuilt package (a local llama.cpp build, tests). */
  readonly libDir?: string;
  /** @default process.platform */
  readonly platform?: NodeJS.Platform;
  /** @default process.arch */
  readonly arch?: string;
}

/** node-llama-cpp's package root, resolved from this module. */
export function nodeLlamaCppRoot(): string {
  const require = createRequire(import.meta.url);
  let dir = path.dirname(require.resolve("node-llama-cpp"));
  for (;;) {
    const pj = path.join(dir, "package.json");
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, "utf8")) as { name?: string }).name === "node-llama-cpp") return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new CortexError("QUANT_FAILED", "cannot find node-llama-cpp's package.json");
    dir = up;
  }
}

function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Find the directory of the prebuilt llama.cpp libraries (or check `libDir`) and the three library files.
 * @throws CortexError QUANT_FAILED naming the directories searched when nothing usable is installed.
 */
export function locateNativeLibraries(options: LocateOptions = {}): NativeLibraryFiles {
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  if (options.libDir !== undefined) {
    const found = pickNativeLibraries(options.libDir, listFiles(options.libDir), platform);
    if (!found) throw new CortexError("QUANT_FAILED", `${options.libDir}: no libggml-base, libggml and libllama libraries for ${platform} in this directory`);
    return found;
  }
  const packages = prebuiltPackagesFor(platform, arch);
  if (packages.length === 0) throw new CortexError("QUANT_FAILED", `node-llama-cpp ships no prebuilt llama.cpp for ${platform}-${arch}`);
  // Resolve from node-llama-cpp's own location: the prebuilt packages are its optional dependencies.
  const nlcRequire = createRequire(path.join(nodeLlamaCppRoot(), "package.json"));
  const searched: string[] = [];
  for (const pkg of packages) {
    let pkgRoot: string;
    try {
      pkgRoot = path.resolve(path.dirname(nlcRequire.resolve(pkg.name)), "..");
    } catch {
      searched.push(`${pkg.name} (not installed)`);
      continue;
    }
    const bins = path.join(pkgRoot, "bins");
    const folders = [pkg.folder, ...listFiles(bins).filter((f) => f !== pkg.folder)];
    for (const folder of folders) {
      const dir = path.join(bins, folder);
      if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
      const found = pickNativeLibraries(dir, listFiles(dir), platform);
      if (found) return found;
    }
    searched.push(bins);
  }
  throw new CortexError("QUANT_FAILED", `no prebuilt llama.cpp libraries found for ${platform}-${arch}; searched ${searched.join(", ")}`);
}

/** Release and package versions recorded beside the libraries and in node-llama-cpp (for manifests). */
export function readBuildInfo(libDir: string): { llamaCppRelease: string | undefined; llamaCppRepo: string | undefined; nodeLlamaCppVersion: string | undefined } {
  const meta = readJson(path.join(libDir, "_nlcBuildMetadata.json")) as { buildOptions?: { llamaCpp?: { repo?: string; release?: string } } } | undefined;
  let nlc: string | undefined;
  let info: { tag?: string; llamaCppGithubRepo?: string } | undefined;
  try {
    const root = nodeLlamaCppRoot();
    nlc = (readJson(path.join(root, "package.json")) as { version?: string } | undefined)?.version;
    info = readJson(path.join(root, "llama", "llama.cpp.info.json")) as typeof info;
  } catch {
    // A libDir outside node-llama-cpp: no package versions.
  }
  return {
    llamaCppRelease: meta?.buildOptions?.llamaCpp?.release ?? info?.tag,
    llamaCppRepo: meta?.buildOptions?.llamaCpp?.repo ?? info?.llamaCppGithubRepo,
    nodeLlamaCppVersion: nlc,
  };
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}
