import { z } from 'zod';
import { displayText, emailText, safeText } from '../../domain/shared/index.js';
import { currency, idOf, metadataSchema, minorUnits } from '../shared/index.js';

/** What the API and the CLI accept for this feature (application/shared/schemas.ts has the common parts). */
export const customerInput = z
  .object({
    name: displayText(200),
    email: emailText,
    ownerUserId: idOf('user').optional(),
    metadata: metadataSchema.optional(),
    /** Its invoices wait as DRAFTs for someone to finalise or void them. */
    draftInvoices: z.boolean().optional(),
  })
  .strict();

export const customerPatch = z
  .object({
    name: displayText(200).optional(),
    email: emailText.optional(),
    ownerUserId: idOf('user').nullable().optional(),
    metadata: metadataSchema.nullable().optional(),
    draftInvoices: z.boolean().optional(),
  })
  .strict();

/** A gateway's token (`pm_…`); card numbers are refused by shape. */
export const paymentMethodInput = z.object({ paymentMethod: safeText.regex(/^pm_[A-Za-z0-9_]{1,100}$/, 'a gateway token such as pm_ok') }).strict();

export const creditInput = z
  .object({ amount: minorUnits.min(1), currency, reason: displayText(200) })
  .strict();
