/** Conversions between the emulator's model and the client's protobuf messages, plus gRPC error shapes. */
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb.js';
import type * as SharedPb from '@eventstore/db-client/generated/shared_pb.js';
import { grpc, sharedPb, streamsPb, type ReadResp, type ServiceError } from './proto.js';
import type { Position, StoredEvent } from './store.js';

type FilterOptions = StreamsPb.ReadReq.Options.FilterOptions;

/** The server's default filter search window (`ReadBatchSize`), used when the client sends `count`. */
const DEFAULT_SEARCH_WINDOW = 32;

export const streamNameOf = (identifier: SharedPb.StreamIdentifier | undefined): string =>
  Buffer.from(identifier?.getStreamName_asU8() ?? new Uint8Array()).toString('utf8');

export const streamIdentifier = (name: string): SharedPb.StreamIdentifier =>
  new sharedPb.StreamIdentifier().setStreamName(Uint8Array.from(Buffer.from(name, 'utf8')));

const hex64 = (bits: string): string => BigInt.asUintN(64, BigInt(bits)).toString(16).padStart(16, '0');

/** Accepts both UUID encodings; answers the lower-case string form, as the server's Guid.ToString() does. */
export const parseUuid = (uuid: SharedPb.UUID | undefined): string | null => {
  if (uuid?.hasString()) return uuid.getString().toLowerCase();
  const structured = uuid?.getStructured();
  if (!structured) return null;
  const h = hex64(structured.getMostSignificantBits()) + hex64(structured.getLeastSignificantBits());
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

const toUuid = (id: string, structured: boolean): SharedPb.UUID => {
  if (!structured) return new sharedPb.UUID().setString(id);
  const h = id.replace(/-/g, '');
  const bits = (part: string) => BigInt.asIntN(64, BigInt(`0x${part}`)).toString();
  return new sharedPb.UUID().setStructured(
    new sharedPb.UUID.Structured()
      .setMostSignificantBits(bits(h.slice(0, 16)))
      .setLeastSignificantBits(bits(h.slice(16))),
  );
};

export const positionOf = (p: StreamsPb.ReadReq.Options.Position): Position => ({
  commit: BigInt(p.getCommitPosition()),
  prepare: BigInt(p.getPreparePosition()),
});

/** A `ReadResp` carrying one event, shaped like a 23.x+ server's (positions on stream reads too). */
export const eventResp = (e: StoredEvent, structuredIds: boolean): ReadResp => {
  const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent()
    .setId(toUuid(e.id, structuredIds))
    .setStreamIdentifier(streamIdentifier(e.streamId))
    .setStreamRevision(e.revision.toString())
    .setCommitPosition(e.position.commit.toString())
    .setPreparePosition(e.position.prepare.toString())
    .setData(e.data)
    .setCustomMetadata(e.customMetadata);
  recorded
    .getMetadataMap()
    .set('type', e.type)
    .set('created', e.created.toString())
    .set('content-type', e.contentType);
  const readEvent = new streamsPb.ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(e.position.commit.toString());
  return new streamsPb.ReadResp().setEvent(readEvent);
};

export const confirmationResp = (subscriptionId: string): ReadResp =>
  new streamsPb.ReadResp().setConfirmation(
    new streamsPb.ReadResp.SubscriptionConfirmation().setSubscriptionId(subscriptionId),
  );

export const caughtUpResp = (): ReadResp => new streamsPb.ReadResp().setCaughtUp(new streamsPb.ReadResp.CaughtUp());

export const checkpointResp = (p: Position): ReadResp =>
  new streamsPb.ReadResp().setCheckpoint(
    new streamsPb.ReadResp.Checkpoint().setCommitPosition(p.commit.toString()).setPreparePosition(p.prepare.toString()),
  );

export const streamNotFoundResp = (name: string): ReadResp =>
  new streamsPb.ReadResp().setStreamNotFound(
    new streamsPb.ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(name)),
  );

/** A gRPC status with the `exception` trailer (and friends) that the client's convertToCommandError reads. */
export const serviceError = (code: number, details: string, trailers: Record<string, string> = {}): ServiceError => {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, value);
  return { code, details, metadata };
};

export type EventFilter = {
  accepts: (e: StoredEvent) => boolean;
  /** Considered (scanned) events between two checkpoints: multiplier × search window, as the server does. */
  checkpointInterval: number;
};

/**
 * The server's filter: a non-empty regex wins (matched anywhere, like .NET Regex.IsMatch), otherwise
 * any of the prefixes; on the stream name or on the event type. Null when the options are invalid.
 */
export const eventFilter = (options: FilterOptions): EventFilter | null => {
  const onStream = options.hasStreamIdentifier();
  const expression = onStream ? options.getStreamIdentifier() : options.getEventType();
  const multiplier = options.getCheckpointintervalmultiplier();
  if (!expression || multiplier <= 0) return null;
  const field = (e: StoredEvent) => (onStream ? e.streamId : e.type);
  const pattern = expression.getRegex();
  const prefixes = expression.getPrefixList();
  let regex: RegExp | null = null;
  try {
    regex = pattern ? new RegExp(pattern) : null;
  } catch {
    return null;
  }
  const window = options.hasMax() ? options.getMax() : DEFAULT_SEARCH_WINDOW;
  return {
    accepts: regex ? (e) => regex.test(field(e)) : (e) => prefixes.some((p) => field(e).startsWith(p)),
    checkpointInterval: multiplier * window,
  };
};
