import { Cluster } from "ioredis";
import type { RedisClient } from "../redis/redis-target.js";
import { CortexError } from "../errors/cortex-error.js";
import { FLEET_QUEUE_NAMES, LEGACY_QUEUE_PREFIX, QUEUE_NAMES, QUEUE_PREFIX } from "./queue-names.js";

/**
 * Moves an install's jobs from the prefix `cortex` to `{cortex}` (the Redis Cluster hash tag), once, at boot,
 * before any Queue or Worker exists. One Lua script, so it is atomic: a crash leaves either nothing or everything
 * moved, and two processes booting against one Redis (a daemon and a worker) cannot both move.
 *
 * BullMQ stores full keys inside some values, and those move too: a child's hash fields `parentKey` and `parent`
 * (`queueKey`) and its `opts.parent.queue`; a parent's `:dependencies` set, `:processed` and `:failed` hashes and
 * `:unsuccessful` sorted set hold child keys. Everything else (lists, streams, job ids) names jobs by id only.
 *
 * Ours are the keys of cortexd's queues, its tombstones and its cancel marks. The fleet registry (heartbeats) is
 * dropped: live processes rewrite it every 3 s. Anything else under `cortex:` belongs to someone else and stays.
 *
 * Standalone Redis only (the script finds its keys by SCAN): a cluster never held working `cortex:` queues, since
 * BullMQ's scripts fail there with CROSSSLOT without the hash tag.
 */
const SCRIPT = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local old, new = ARGV[1] .. ":", ARGV[2] .. ":"
local queues = {}
for i = 3, #ARGV do queues[ARGV[i]] = true end

local function scan(pattern)
  local out, cursor = {}, "0"
  repeat
    local r = redis.call("SCAN", cursor, "MATCH", pattern, "COUNT", 1000)
    cursor = r[1]
    for _, k in ipairs(r[2]) do out[#out + 1] = k end
  until cursor == "0"
  return out
end

local function startsWith(s, p) return string.sub(s, 1, #p) == p end
local function segment(k) return string.match(string.sub(k, #old + 1), "^([^:]+)") end
-- A full job or queue key of ours: "cortex:<queue>:...".
local function isOurKey(s)
  if not startsWith(s, old) then return false end
  local q = segment(s)
  return q ~= nil and queues[q] == true
end
local function moved(s) if isOurKey(s) then return new .. string.sub(s, #old + 1) end return s end

local legacy, registry = {}, {}
for _, k in ipairs(scan(old .. "*")) do
  local q = segment(k)
  if q ~= nil and queues[q] then legacy[#legacy + 1] = k
  elseif q == "tombstone" or startsWith(k, old .. "fleet:cancelled:") then legacy[#legacy + 1] = k
  elseif k == old .. "fleet:workers" or startsWith(k, old .. "fleet:worker:") then registry[#registry + 1] = k
  end
end
if #legacy == 0 then return {0} end
local present = redis.call("SCAN", "0", "MATCH", new .. "*", "COUNT", 1000)
local existing = present[2][1]
if existing == nil and present[1] ~= "0" then
  local rest = scan(new .. "*")
  existing = rest[1]
end
if existing ~= nil then return {-1, legacy[1], existing} end

-- JSON text of a job ("parent", "opts"): the parent's queue key, wherever it is quoted.
local function movedJson(text)
  local out = string.gsub(text, '"(queueKey)":"' .. old, '"%1":"' .. new)
  out = string.gsub(out, '"(queue)":"' .. old, '"%1":"' .. new)
  return out
end

for _, k in ipairs(legacy) do
  local target = new .. string.sub(k, #old + 1)
  redis.call("RENAME", k, target)
  local t = redis.call("TYPE", target)["ok"]
  if t == "hash" then
    local flat = redis.call("HGETALL", target)
    for i = 1, #flat, 2 do
      local f, v = flat[i], flat[i + 1]
      local nf, nv = moved(f), v
      if f == "parentKey" then nv = moved(v)
      elseif f == "parent" or f == "opts" then nv = movedJson(v) end
      if nf ~= f then redis.call("HDEL", target, f) end
      if nf ~= f or nv ~= v then redis.call("HSET", target, nf, nv) end
    end
  elseif t == "set" then
    for _, m in ipairs(redis.call("SMEMBERS", target)) do
      if isOurKey(m) then redis.call("SREM", target, m); redis.call("SADD", target, moved(m)) end
    end
  elseif t == "zset" then
    local flat = redis.call("ZRANGE", target, 0, -1, "WITHSCORES")
    for i = 1, #flat, 2 do
      local m = flat[i]
      if isOurKey(m) then redis.call("ZREM", target, m); redis.call("ZADD", target, flat[i + 1], moved(m)) end
    end
  end
end
for _, k in ipairs(registry) do redis.call("DEL", k) end
return {#legacy}
`;

export interface PrefixMigration {
  /** How many keys moved from `cortex:` to `{cortex}:` (0: nothing to move). */
  moved: number;
}

/**
 * Runs the move when `cortex:` holds cortexd's keys and `{cortex}:` is empty. When both hold keys it refuses with
 * REDIS_PREFIX_CONFLICT naming one of each: a process of an older cortexd still writes the old prefix, or someone
 * else wrote there; merging the two would be a guess.
 */
export async function migrateLegacyPrefix(client: RedisClient): Promise<PrefixMigration> {
  if (client instanceof Cluster) return { moved: 0 };
  const r = (await client.eval(SCRIPT, 0, LEGACY_QUEUE_PREFIX, QUEUE_PREFIX, ...QUEUE_NAMES, ...FLEET_QUEUE_NAMES)) as (number | string)[];
  if (r[0] === -1) {
    throw new CortexError(
      "REDIS_PREFIX_CONFLICT",
      `Redis holds cortexd keys under both the old prefix (${String(r[1])}) and the new one (${String(r[2])}), so cortexd will not move the old ones: ` +
        `stop every cortexd and cortex worker older than this version, then keep one side (delete the other's keys, e.g. redis-cli --scan --pattern '${LEGACY_QUEUE_PREFIX}:*')`,
    );
  }
  return { moved: Number(r[0]) };
}
