/**
 * A small in-memory emulator of an EventStoreDB/KurrentDB server's gRPC protocol, for tests, served on the
 * db-client package's own generated service definitions. It answers what @eventstore/db-client 6.x expects
 * from a 22.x+ single node, insecure (`?tls=false`): Streams.Read (streams, `$all`, catch-up subscriptions
 * with server-side filters and checkpoints), Streams.Append and ServerFeatures.GetSupportedMethods.
 *
 * Not modelled (differences from a real server), one per line:
 * - no system events or server-written `$`-streams: `$all` holds only what tests append;
 * - no Delete, Tombstone or stream metadata ($maxAge, $maxCount, ACLs): never `stream-deleted`;
 * - no BatchAppend (not advertised, so the client uses Append); other Streams methods answer UNIMPLEMENTED;
 * - no persistent subscriptions, projections, users, operations, gossip or cluster: never `not-leader`;
 * - no authentication or authorization: never `access-denied`;
 * - no link events: resolveLinkTos has nothing to resolve;
 * - no backpressure, no "consumer too slow" subscription drops, no fell-behind, no deadlines or timeouts;
 * - idempotency remembers every event id forever (the server's check for ANY uses a bounded cache);
 * - filtered checkpoints come every N considered events, not at the end of 32-event read pages;
 * - filter regexes run as JavaScript RegExp, not .NET Regex; the 1 MiB append size is approximated;
 * - positions are a counter (n × 100), not byte offsets in a transaction file;
 * - stream reads carry event positions as 23.x+ servers do (21.x/22.x sent ulong.MaxValue there);
 * - dropConnections() ends calls with UNAVAILABLE but keeps the HTTP/2 connections open.
 */
import { append } from './append.js';
import { serviceError } from './messages.js';
import {
  featuresGrpc,
  featuresPb,
  grpc,
  streamsGrpc,
  type AppendCall,
  type AppendCallback,
  type ReadCall,
  type ServiceError,
} from './proto.js';
import { readAll, readStream } from './read.js';
import { EventLog } from './store.js';
import { subscribe, type Track } from './subscribe.js';

export type EsdbEmulator = {
  /** Connection string for the client, e.g. `esdb://127.0.0.1:PORT?tls=false` */
  url: string;
  port: number;
  /** Ends every open call (reads, subscriptions, appends) with gRPC UNAVAILABLE, as a server restart would; the server keeps listening and keeps its data. */
  dropConnections(): void;
  close(): Promise<void>;
};

const SERVER_VERSION = '24.10.0 (in-memory emulator)';

export const startEsdbEmulator = async (options: { port?: number } = {}): Promise<EsdbEmulator> => {
  const log = new EventLog();
  const aborts = new Set<(error: ServiceError) => void>();
  const track: Track = (abort) => {
    aborts.add(abort);
    return () => aborts.delete(abort);
  };

  const server = new grpc.Server();
  server.addService(streamsGrpc.StreamsService, {
    read: (call: ReadCall) => {
      const readOptions = call.request.getOptions();
      if (!readOptions) call.emit('error', serviceError(grpc.status.INVALID_ARGUMENT, 'Missing read options'));
      else if (readOptions.hasSubscription()) subscribe(call, readOptions, log, track);
      else if (readOptions.hasAll()) readAll(call, readOptions, log);
      else readStream(call, readOptions, log);
    },
    append: (call: AppendCall, callback: AppendCallback) => append(call, callback, log, track),
  });
  server.addService(featuresGrpc.ServerFeaturesService, {
    getSupportedMethods: (_call: unknown, callback: (error: null, value: unknown) => void) =>
      callback(null, supportedMethods()),
  });

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );

  const dropConnections = () => {
    for (const abort of [...aborts]) abort(serviceError(grpc.status.UNAVAILABLE, 'Server restarted; connection dropped'));
  };

  return {
    url: `esdb://127.0.0.1:${port}?tls=false`,
    port,
    dropConnections,
    close: async () => {
      dropConnections();
      server.forceShutdown();
    },
  };
};

/** Only what the emulator serves; without BatchAppend listed, the client appends through Streams.Append. */
const supportedMethods = () => {
  const method = (service: string, name: string) =>
    new featuresPb.SupportedMethod().setServiceName(service).setMethodName(name);
  return new featuresPb.SupportedMethods()
    .setEventStoreServerVersion(SERVER_VERSION)
    .setMethodsList([
      method('event_store.client.streams.streams', 'read'),
      method('event_store.client.streams.streams', 'append'),
      method('event_store.client.server_features.serverfeatures', 'getsupportedmethods'),
    ]);
};
