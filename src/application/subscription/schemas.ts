import { z } from 'zod';
import { displayText } from '../../domain/shared/index.js';
import { idOf } from '../shared/index.js';

/** What the API and the CLI accept for this feature (application/shared/schemas.ts has the common parts). */
export const subscriptionInput = z
  .object({
    contractId: idOf('contract'),
    planId: idOf('plan'),
    quantity: z.number().int().min(1).max(1_000_000_000).optional(),
  })
  .strict();

export const changePlanInput = z.object({ planId: idOf('plan') }).strict();
export const changeQuantityInput = z.object({ quantity: z.number().int().min(1).max(1_000_000_000) }).strict();
export const cancelInput = z
  .object({ atPeriodEnd: z.boolean().default(false), prorate: z.boolean().optional(), reason: displayText(500).optional() })
  .strict();
