/**
 * `Streams.Append` (client streaming): one options message, then the proposed messages.
 *
 * A wrong expected revision is answered the way 21.x+ servers do: a successful call whose response
 * carries `wrong_expected_version` (new fields and the deprecated 20.6 ones), which the client turns
 * into WrongExpectedVersionError with `actualVersion` (bigint, or 'no_stream'). Validation failures
 * are gRPC errors with the `exception` trailer the client's convertToCommandError reads.
 */
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb.js';
import { parseUuid, serviceError, streamNameOf } from './messages.js';
import { grpc, sharedPb, streamsPb, type AppendCall, type AppendCallback, type AppendResp, type ServiceError } from './proto.js';
import type { AppendResult, EventLog, ExpectedRevision, ProposedEvent } from './store.js';
import type { Track } from './subscribe.js';

type Options = StreamsPb.AppendReq.Options;

/** The server's default `MaxAppendSize` (1 MiB); sizes are approximated as data + metadata + type. */
const MAX_APPEND_SIZE = 1024 * 1024;

export const append = (call: AppendCall, callback: AppendCallback, log: EventLog, track: Track): void => {
  let done = false;
  const finish = (error: ServiceError | null, response?: AppendResp) => {
    if (done) return;
    done = true;
    untrack();
    if (error) callback(error);
    else callback(null, response);
  };
  const untrack = track((error) => finish(error));
  let options: Options | undefined;
  const events: ProposedEvent[] = [];
  let size = 0;

  call.on('data', (req: StreamsPb.AppendReq) => {
    if (done) return;
    if (!options) {
      options = req.getOptions();
      if (!options) finish(serviceError(grpc.status.INVALID_ARGUMENT, 'The first message must carry the options'));
      return;
    }
    const message = req.getProposedMessage();
    const id = parseUuid(message?.getId());
    if (!message || !id) {
      finish(serviceError(grpc.status.INVALID_ARGUMENT, 'Expected a proposed message with an id'));
      return;
    }
    const type = message.getMetadataMap().get('type');
    const contentType = message.getMetadataMap().get('content-type');
    if (type === undefined || contentType === undefined) {
      const missing = type === undefined ? 'type' : 'content-type';
      finish(
        serviceError(grpc.status.INVALID_ARGUMENT, `Required Metadata Property '${missing}' is missing`, {
          exception: 'missing-required-metadata-property',
          'required-metadata-properties': missing,
        }),
      );
      return;
    }
    const data = message.getData_asU8();
    const customMetadata = message.getCustomMetadata_asU8();
    size += data.length + customMetadata.length + Buffer.byteLength(type);
    if (size > MAX_APPEND_SIZE) {
      finish(
        serviceError(grpc.status.INVALID_ARGUMENT, `Maximum Append Size of ${MAX_APPEND_SIZE} Exceeded.`, {
          exception: 'maximum-append-size-exceeded',
          'maximum-append-size': String(MAX_APPEND_SIZE),
        }),
      );
      return;
    }
    events.push({
      id,
      type,
      // The server only keeps an is-json flag and answers one of these two.
      contentType: contentType === 'application/json' ? 'application/json' : 'application/octet-stream',
      data,
      customMetadata,
    });
  });
  call.on('end', () => {
    if (done) return;
    if (!options) return finish(serviceError(grpc.status.INVALID_ARGUMENT, 'No options received'));
    const expected = expectedRevisionOf(options);
    const result = log.append(streamNameOf(options.getStreamIdentifier()), expected, events);
    finish(null, toResponse(result, expected));
  });
  call.on('error', () => finish(serviceError(grpc.status.CANCELLED, 'Append call failed')));
  call.on('cancelled', () => finish(serviceError(grpc.status.CANCELLED, 'Cancelled')));
};

const expectedRevisionOf = (options: Options): ExpectedRevision => {
  if (options.hasRevision()) return { kind: 'revision', revision: BigInt(options.getRevision()) };
  if (options.hasNoStream()) return { kind: 'no_stream' };
  if (options.hasStreamExists()) return { kind: 'stream_exists' };
  return { kind: 'any' };
};

const toResponse = (result: AppendResult, expected: ExpectedRevision): AppendResp => {
  const empty = () => new sharedPb.Empty();
  const response = new streamsPb.AppendResp();
  if (result.kind === 'success') {
    const success = new streamsPb.AppendResp.Success();
    if (result.currentRevision === null) success.setNoStream(empty());
    else success.setCurrentRevision(result.currentRevision.toString());
    if (result.position === null) success.setNoPosition(empty());
    else
      success.setPosition(
        new streamsPb.AppendResp.Position()
          .setCommitPosition(result.position.commit.toString())
          .setPreparePosition(result.position.prepare.toString()),
      );
    return response.setSuccess(success);
  }
  const wrong = new streamsPb.AppendResp.WrongExpectedVersion();
  switch (expected.kind) {
    case 'any':
      wrong.setExpectedAny(empty()).setAny2060(empty());
      break;
    case 'stream_exists':
      wrong.setExpectedStreamExists(empty()).setStreamExists2060(empty());
      break;
    case 'no_stream':
      // The server also sets the deprecated expected_revision_20_6_0 to ulong.MaxValue; that uint64 field is a
      // JS number in these generated classes, which cannot hold it, and the client never reads it.
      wrong.setExpectedNoStream(empty());
      break;
    case 'revision':
      wrong.setExpectedRevision(expected.revision.toString()).setExpectedRevision2060(Number(expected.revision));
      break;
  }
  if (result.currentRevision === null) wrong.setCurrentNoStream(empty()).setNoStream2060(empty());
  else
    wrong
      .setCurrentRevision(result.currentRevision.toString())
      .setCurrentRevision2060(Number(result.currentRevision));
  return response.setWrongExpectedVersion(wrong);
};
