// A pull in a child process, so a test can kill -9 it mid-download. argv[2]: SnapshotOptions as JSON.
// Prints one JSON line per progress event and "DONE" at the end.
import { snapshotDownload, type SnapshotOptions } from "../../src/hub/snapshot-download.js";

const opts = JSON.parse(process.argv[2] ?? "{}") as SnapshotOptions;
await snapshotDownload({ ...opts, onProgress: (p) => process.stdout.write(`${JSON.stringify({ done: p.doneBytes, total: p.totalBytes })}\n`) });
process.stdout.write("DONE\n");
