import net from "node:net";

/** A TCP port nobody listens on now, chosen by the kernel (redis-server needs a number; never a fixed one). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}
