import { LoopbackHub, randomBytes } from "../test/hub/loopback-hub.js";

/** A loopback Hub in its own process (so it doesn't share an event loop with the client being measured). */
const mib = Number(process.argv[2] ?? 2048);
const hub = await LoopbackHub.start({ "bench/big": { files: { "config.json": { data: Buffer.from("{}\n") }, "model.safetensors": { data: randomBytes(mib * 1024 * 1024), lfs: true } } } });
process.stdout.write(`${JSON.stringify({ url: hub.url, commit: hub.commitOf("bench/big") })}\n`);
