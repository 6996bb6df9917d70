// Original file: proto/cortex/v1/models.proto

import type { RedisStatus as _cortex_v1_RedisStatus, RedisStatus__Output as _cortex_v1_RedisStatus__Output } from '../../cortex/v1/RedisStatus.js';
import type { QueueCounts as _cortex_v1_QueueCounts, QueueCounts__Output as _cortex_v1_QueueCounts__Output } from '../../cortex/v1/QueueCounts.js';
import type { MemoryBudget as _cortex_v1_MemoryBudget, MemoryBudget__Output as _cortex_v1_MemoryBudget__Output } from '../../cortex/v1/MemoryBudget.js';
import type { PlatformInfo as _cortex_v1_PlatformInfo, PlatformInfo__Output as _cortex_v1_PlatformInfo__Output } from '../../cortex/v1/PlatformInfo.js';
import type { FleetWorker as _cortex_v1_FleetWorker, FleetWorker__Output as _cortex_v1_FleetWorker__Output } from '../../cortex/v1/FleetWorker.js';

export interface GetStatusResponse {
  'version'?: (string);
  'uptime_seconds'?: (number | string);
  'home'?: (string);
  'pid'?: (number);
  'redis'?: (_cortex_v1_RedisStatus | null);
  'queues'?: (_cortex_v1_QueueCounts)[];
  'memory'?: (_cortex_v1_MemoryBudget | null);
  'platform'?: (_cortex_v1_PlatformInfo | null);
  'listeners'?: (string)[];
  'started_at'?: (string);
  /**
   * The fleet's worker processes (only with an external Redis; empty otherwise).
   */
  'workers'?: (_cortex_v1_FleetWorker)[];
}

export interface GetStatusResponse__Output {
  'version': (string);
  'uptime_seconds': (number);
  'home': (string);
  'pid': (number);
  'redis': (_cortex_v1_RedisStatus__Output | null);
  'queues': (_cortex_v1_QueueCounts__Output)[];
  'memory': (_cortex_v1_MemoryBudget__Output | null);
  'platform': (_cortex_v1_PlatformInfo__Output | null);
  'listeners': (string)[];
  'started_at': (string);
  /**
   * The fleet's worker processes (only with an external Redis; empty otherwise).
   */
  'workers': (_cortex_v1_FleetWorker__Output)[];
}
