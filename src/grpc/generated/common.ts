import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { MlxQuantization as _cortex_v1_MlxQuantization, MlxQuantization__Output as _cortex_v1_MlxQuantization__Output } from './cortex/v1/MlxQuantization.js';
import type { PageRequest as _cortex_v1_PageRequest, PageRequest__Output as _cortex_v1_PageRequest__Output } from './cortex/v1/PageRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  cortex: {
    v1: {
      MlxQuantization: MessageTypeDefinition<_cortex_v1_MlxQuantization, _cortex_v1_MlxQuantization__Output>
      ModelFormat: EnumTypeDefinition
      PageRequest: MessageTypeDefinition<_cortex_v1_PageRequest, _cortex_v1_PageRequest__Output>
      Quantization: EnumTypeDefinition
    }
  }
}

