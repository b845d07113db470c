import { z } from 'zod';
import { displayText } from '../../domain/shared/index.js';
import { currency, metadataSchema, minorUnits } from '../shared/index.js';

/** What the API and the CLI accept for this feature (application/shared/schemas.ts has the common parts). */
export const planInput = z
  .object({
    name: displayText(200),
    description: displayText(2000).optional(),
    pricingModel: z.enum(['flat_rate', 'per_unit']),
    amount: minorUnits,
    currency,
    interval: z.enum(['month', 'year']),
    intervalCount: z.number().int().min(1).max(120).default(1),
    trialDays: z.number().int().min(0).max(730).default(0),
    metadata: metadataSchema.optional(),
  })
  .strict();

export const planPatch = z
  .object({
    name: displayText(200).optional(),
    description: displayText(2000).nullable().optional(),
    metadata: metadataSchema.nullable().optional(),
  })
  .strict();
