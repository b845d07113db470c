/**
 * The db-client package's own generated gRPC definitions and message classes, loaded through the very
 * module instances the client uses: its serializers check `instanceof`, and grpc-js must be the single
 * hoisted copy so that the client and this server agree on Metadata and status classes.
 */
import { createRequire } from 'node:module';
import type * as GrpcJs from '@grpc/grpc-js';
import type * as StreamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb.js';
import type * as SharedPb from '@eventstore/db-client/generated/shared_pb.js';
import type * as FeaturesGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import type * as FeaturesPb from '@eventstore/db-client/generated/serverfeatures_pb.js';

const requireCjs = createRequire(import.meta.url);

export const grpc = requireCjs('@grpc/grpc-js') as typeof GrpcJs;
export const streamsGrpc = requireCjs('@eventstore/db-client/generated/streams_grpc_pb.js') as typeof StreamsGrpc;
export const streamsPb = requireCjs('@eventstore/db-client/generated/streams_pb.js') as typeof StreamsPb;
export const sharedPb = requireCjs('@eventstore/db-client/generated/shared_pb.js') as typeof SharedPb;
export const featuresGrpc = requireCjs('@eventstore/db-client/generated/serverfeatures_grpc_pb.js') as typeof FeaturesGrpc;
export const featuresPb = requireCjs('@eventstore/db-client/generated/serverfeatures_pb.js') as typeof FeaturesPb;

export type ReadReq = StreamsPb.ReadReq;
export type ReadResp = StreamsPb.ReadResp;
export type AppendReq = StreamsPb.AppendReq;
export type AppendResp = StreamsPb.AppendResp;
export type ReadCall = GrpcJs.ServerWritableStream<ReadReq, ReadResp>;
export type AppendCall = GrpcJs.ServerReadableStream<AppendReq, AppendResp>;
export type AppendCallback = GrpcJs.sendUnaryData<AppendResp>;
export type ServiceError = Partial<GrpcJs.StatusObject>;
