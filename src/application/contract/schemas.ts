import { z } from 'zod';
import { displayText } from '../../domain/shared/index.js';
import { idOf, instant } from '../shared/index.js';

/** What the API and the CLI accept for this feature (application/shared/schemas.ts has the common parts). */
export const contractInput = z
  .object({
    customerId: idOf('customer'),
    title: displayText(200),
    terms: displayText(10_000).optional(),
    startsAt: instant.optional(),
    endsAt: instant.optional(),
  })
  .strict();
