import type http from "node:http";

export interface FileFaults {
  /** Close the connection after this many body bytes, for the next `times` responses. */
  dropAfter?: { bytes: number; times: number };
  /** Stop sending after this many bytes for `ms` (forever if absent), for the next `times` responses. */
  stallAfter?: { bytes: number; times: number; ms?: number };
  /** Serve bytes with one bit flipped, for the next `times` responses. */
  corrupt?: { times: number };
  /** Bytes per second per response. */
  throttle?: number;
  /** Answer this status (429, 500, 503…) instead of the bytes, for the next `times` requests. */
  failWith?: { status: number; times: number };
}

/**
 * Serves `buf` (or the requested byte range of it: 206 + Content-Range, 416 past the end) with the file's
 * faults applied. `record.bytes` counts body bytes handed to the socket; `onServe` registers the record.
 */
export async function sendRange(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  buf: Buffer,
  extra: Record<string, string>,
  fault: FileFaults,
  record: { start: number; bytes: number },
  onServe: () => void,
  fail: (status: number, msg: string, headers: Record<string, string>) => void,
): Promise<void> {
  if (fault.failWith && fault.failWith.times > 0) {
    fault.failWith.times--;
    return fail(fault.failWith.status, `injected ${fault.failWith.status}`, fault.failWith.status === 429 ? { "Retry-After": "0" } : {});
  }
  const h: Record<string, string | number> = { "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream", ...extra };
  const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? "");
  let start = 0;
  let end = buf.length - 1;
  if (m) {
    start = m[1] === "" ? buf.length - Number(m[2]) : Number(m[1]);
    end = m[1] === "" || m[2] === "" ? buf.length - 1 : Math.min(Number(m[2]), buf.length - 1);
    if (start >= buf.length || start > end) {
      res.writeHead(416, { "Content-Range": `bytes */${buf.length}` });
      return void res.end();
    }
    res.writeHead(206, { ...h, "Content-Range": `bytes ${start}-${end}/${buf.length}`, "Content-Length": end - start + 1 });
  } else res.writeHead(200, { ...h, "Content-Length": buf.length });
  if (req.method === "HEAD") return void res.end();
  let body = buf.subarray(start, end + 1);
  if (fault.corrupt && fault.corrupt.times > 0 && body.length > 1) {
    fault.corrupt.times--;
    body = Buffer.from(body);
    body[Math.floor(body.length / 2)]! ^= 0x40;
  }
  let cut = body.length;
  let mode: "drop" | "stall" | undefined;
  if (fault.dropAfter && fault.dropAfter.times > 0 && body.length > fault.dropAfter.bytes) {
    fault.dropAfter.times--;
    [cut, mode] = [fault.dropAfter.bytes, "drop"];
  } else if (fault.stallAfter && fault.stallAfter.times > 0 && body.length > fault.stallAfter.bytes) {
    fault.stallAfter.times--;
    [cut, mode] = [fault.stallAfter.bytes, "stall"];
  }
  record.start = start;
  onServe();
  const send = async (from: number, to: number) => {
    const chunk = fault.throttle ? Math.max(1024, Math.floor(fault.throttle / 20)) : 256 * 1024;
    for (let off = from; off < to; off += chunk) {
      if (res.destroyed) return false;
      const piece = body.subarray(off, Math.min(to, off + chunk));
      record.bytes += piece.length;
      if (!res.write(piece)) {
        await new Promise<void>((r) => {
          const done = () => (res.off("drain", done), res.off("close", done), r());
          res.on("drain", done).on("close", done);
        });
      }
      if (fault.throttle) await new Promise((r) => setTimeout(r, (piece.length / fault.throttle!) * 1000));
    }
    return !res.destroyed;
  };
  if (!(await send(0, cut))) return;
  if (mode === "drop") return void res.destroy();
  if (mode === "stall") {
    if (fault.stallAfter?.ms === undefined) return; // hold the socket open, send nothing more
    await new Promise((r) => setTimeout(r, fault.stallAfter!.ms));
    if (!(await send(cut, body.length))) return;
  }
  res.end();
}
