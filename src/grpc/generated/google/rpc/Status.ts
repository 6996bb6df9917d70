// Original file: proto/google/rpc/status.proto

import type { Any as _google_protobuf_Any, Any__Output as _google_protobuf_Any__Output } from '../../google/protobuf/Any.js';

/**
 * The status of a failed call: the gRPC code, the message, and typed details (ErrorInfo, BadRequest).
 */
export interface Status {
  'code'?: (number);
  'message'?: (string);
  'details'?: (_google_protobuf_Any)[];
}

/**
 * The status of a failed call: the gRPC code, the message, and typed details (ErrorInfo, BadRequest).
 */
export interface Status__Output {
  'code': (number);
  'message': (string);
  'details': (_google_protobuf_Any__Output)[];
}
