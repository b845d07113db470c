import { ValidationError } from '../../domain/shared/index.js';
import type { Position } from './port.js';

export const comparePositions = (a: Position, b: Position): number => {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
};

/** True when `position` is at or before `checkpoint`; no checkpoint has passed nothing. */
export const hasReached = (checkpoint: Position | undefined, position: Position): boolean =>
  checkpoint !== undefined && comparePositions(checkpoint, position) >= 0;

/** Wire form used in `X-Position` headers and JSON bodies: `commit/prepare`. */
export const formatPosition = (position: Position): string =>
  `${position.commit}/${position.prepare}`;

const WIRE = /^(\d{1,19})\/(\d{1,19})$/;
/** PostgreSQL's largest bigint: no position, revision or keyset cursor lies beyond it. */
export const MAX_INT8 = 2n ** 63n - 1n;

export const parsePosition = (text: string): Position => {
  const match = WIRE.exec(text.trim());
  if (!match) {
    throw new ValidationError(
      'position.malformed',
      `position must look like "<commit>/<prepare>" with non-negative integers, got "${text}"`,
    );
  }
  const position = { commit: BigInt(match[1]!), prepare: BigInt(match[2]!) };
  if (position.commit > MAX_INT8 || position.prepare > MAX_INT8) {
    throw new ValidationError('position.out_of_range', `position "${text}" is beyond any stored position`);
  }
  return position;
};
