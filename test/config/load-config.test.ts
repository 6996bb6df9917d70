import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { loadConfig } from "../../src/config/load-config.js";
import { parseByteSize } from "../../src/config/schema.js";
import { redisTargetFrom } from "../../src/redis/connection-options.js";
import { tempDir } from "../helpers/temp-dir.js";

test("precedence is flag > environment > config.json > default, and each value says where it came from", (t) => {
  const home = tempDir(t);
  fs.writeFileSync(path.join(home, "config.json"), JSON.stringify({ logLevel: "debug", keepAliveSeconds: 60, maxConcurrentDownloads: 3 }));
  const { config, sources } = loadConfig({
    flags: { home, logLevel: "warn" },
    env: { CORTEX_KEEP_ALIVE: "120", HOME: home },
    homedir: home,
  });
  assert.equal(config.logLevel, "warn");
  assert.equal(sources.logLevel, "flag");
  assert.equal(config.keepAliveSeconds, 120);
  assert.equal(sources.keepAliveSeconds, "env");
  assert.equal(config.maxConcurrentDownloads, 3);
  assert.equal(sources.maxConcurrentDownloads, "file");
  assert.equal(config.downloadPartsPerFile, 8);
  assert.equal(sources.downloadPartsPerFile, "default");
  assert.ok(Object.isFrozen(config), "config is frozen after boot");
});

test("CORTEX_HOME from the environment locates config.json; HF cache follows HF_HOME", (t) => {
  const dir = tempDir(t);
  const home = path.join(dir, "h");
  fs.mkdirSync(home);
  fs.writeFileSync(path.join(home, "config.json"), JSON.stringify({ listen: "127.0.0.1:5005" }));
  const { config, file } = loadConfig({ env: { CORTEX_HOME: home, HF_HOME: path.join(dir, "hf") }, homedir: dir });
  assert.equal(config.home, home);
  assert.equal(file, path.join(home, "config.json"));
  assert.equal(config.listen, "127.0.0.1:5005");
  assert.equal(config.hfHubCache, path.join(dir, "hf", "hub"));
});

test("a corrupt config.json names the file, line, column and reason", (t) => {
  const home = tempDir(t);
  const file = path.join(home, "config.json");
  fs.writeFileSync(file, '{\n  "logLevel": "info",\n  "listen": ,\n}\n');
  assert.throws(
    () => loadConfig({ flags: { home }, env: {} }),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, "CFG_FILE_CORRUPT");
      assert.match(err.message, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:3:13`));
      assert.match(err.message, /not valid JSON: unexpected ","$/);
      return true;
    },
  );
});

test("an invalid value names the key and where it came from", (t) => {
  const home = tempDir(t);
  fs.writeFileSync(path.join(home, "config.json"), JSON.stringify({ maxConcurrentDownloads: 0 }));
  assert.throws(() => loadConfig({ flags: { home }, env: {} }), (err: Error & { code?: string }) => {
    assert.equal(err.code, "CFG_INVALID");
    assert.match(err.message, /"maxConcurrentDownloads" \(from .*config\.json\)/);
    return true;
  });
  assert.throws(() => loadConfig({ flags: { home: tempDir(t) }, env: { CORTEX_LISTEN: "nonsense" } }), /"listen" \(from environment CORTEX_LISTEN\): must be host:port/);
  assert.throws(() => loadConfig({ flags: { home: tempDir(t) }, env: { HF_HUB_OFFLINE: "maybe" } }), /HF_HUB_OFFLINE="maybe"/);
  assert.throws(() => loadConfig({ flags: { home: tempDir(t) }, env: { CORTEX_MEMORY_RESERVE: "lots" } }), /"memoryReserveBytes" \(from environment CORTEX_MEMORY_RESERVE\): not a byte size/);
  fs.writeFileSync(path.join(home, "config.json"), JSON.stringify({ unknownKey: 1 }));
  assert.throws(() => loadConfig({ flags: { home }, env: {} }), /unknownKey/);
});

test("byte sizes accept binary and decimal units", () => {
  assert.equal(parseByteSize("2GiB"), 2 * 1024 ** 3);
  assert.equal(parseByteSize("512MB"), 512e6);
  assert.equal(parseByteSize("1.5G"), 1.5 * 1024 ** 3);
  assert.equal(parseByteSize("100"), 100);
  assert.equal(parseByteSize("12 parsecs"), undefined);
});

test("redisCluster: CORTEX_REDIS_CLUSTER=1 needs a redis:// or rediss:// node; the target is a cluster seeded by it, credentials and redisOptions on every node", (t) => {
  const home = tempDir(t);
  assert.throws(() => loadConfig({ flags: { home }, env: { CORTEX_REDIS_CLUSTER: "1" } }), /"redisCluster".*redis:\/\/ or rediss:\/\//);
  assert.throws(() => loadConfig({ flags: { home }, env: { CORTEX_REDIS_CLUSTER: "1", CORTEX_REDIS_URL: "/tmp/r.sock" } }), /"redisCluster"/);
  assert.throws(() => loadConfig({ flags: { home }, env: { CORTEX_REDIS_CLUSTER: "maybe" } }), /CORTEX_REDIS_CLUSTER="maybe"/);
  const { config } = loadConfig({ flags: { home }, env: { CORTEX_REDIS_CLUSTER: "1", CORTEX_REDIS_URL: "rediss://u:p%40ss@node-a:7001", CORTEX_REDIS_OPTIONS: '{"connectTimeout":5000}' } });
  assert.equal(config.redisCluster, true);
  assert.deepEqual(redisTargetFrom(config.redisUrl, config.redisOptions, config.redisCluster), {
    cluster: true,
    nodes: [{ host: "node-a", port: 7001 }],
    options: { username: "u", password: "p@ss", tls: {}, connectTimeout: 5000 },
  });
  assert.throws(() => redisTargetFrom("redis://node-a:7001/2", {}, true), (e: Error & { code?: string }) => e.code === "CFG_INVALID" && /only database 0, not 2/.test(e.message));
  assert.deepEqual(redisTargetFrom("redis://node-a:7001/2", {}, false), { cluster: false, options: { host: "node-a", port: 7001, db: 2 } });
});
