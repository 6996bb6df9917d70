// Original file: proto/cortex/v1/models.proto


/**
 * A worker process sharing this daemon's Redis: a `cortex worker`, or a daemon's own job workers.
 */
export interface FleetWorker {
  'id'?: (string);
  /**
   * "daemon" or "worker".
   */
  'role'?: (string);
  'host'?: (string);
  'pid'?: (number);
  'version'?: (string);
  /**
   * The queues it consumes (fleet queues are named <kind>-<capability>, e.g. conversions-gguf).
   */
  'queues'?: (string)[];
  'capabilities'?: (string)[];
  'shared_roots'?: (string)[];
  'running_job_ids'?: (string)[];
  'started_at'?: (string);
  /**
   * RFC 3339; a worker silent for 15 s leaves the list (its jobs come back to the queue when their lock expires).
   */
  'last_heartbeat'?: (string);
}

/**
 * A worker process sharing this daemon's Redis: a `cortex worker`, or a daemon's own job workers.
 */
export interface FleetWorker__Output {
  'id': (string);
  /**
   * "daemon" or "worker".
   */
  'role': (string);
  'host': (string);
  'pid': (number);
  'version': (string);
  /**
   * The queues it consumes (fleet queues are named <kind>-<capability>, e.g. conversions-gguf).
   */
  'queues': (string)[];
  'capabilities': (string)[];
  'shared_roots': (string)[];
  'running_job_ids': (string)[];
  'started_at': (string);
  /**
   * RFC 3339; a worker silent for 15 s leaves the list (its jobs come back to the queue when their lock expires).
   */
  'last_heartbeat': (string);
}
