// Original file: proto/cortex/v1/models.proto

import type { Long } from '@grpc/proto-loader';

export interface QueueCounts {
  'queue'?: (string);
  'waiting'?: (number | string | Long);
  'active'?: (number | string | Long);
  'completed'?: (number | string | Long);
  'failed'?: (number | string | Long);
  'delayed'?: (number | string | Long);
  'paused'?: (boolean);
  /**
   * Worker processes with a fresh heartbeat consuming this queue (fleet: daemons and `cortex worker`s).
   */
  'workers'?: (number);
  /**
   * Why jobs wait here, when they cannot run: e.g. no connected worker serves this queue's capability.
   */
  'note'?: (string);
}

export interface QueueCounts__Output {
  'queue': (string);
  'waiting': (number);
  'active': (number);
  'completed': (number);
  'failed': (number);
  'delayed': (number);
  'paused': (boolean);
  /**
   * Worker processes with a fresh heartbeat consuming this queue (fleet: daemons and `cortex worker`s).
   */
  'workers': (number);
  /**
   * Why jobs wait here, when they cannot run: e.g. no connected worker serves this queue's capability.
   */
  'note': (string);
}
