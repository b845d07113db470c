import { createHash } from 'node:crypto';

const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);

/**
 * An invoice's id from what caused it, so billing the same thing twice names
 * the same stream: `inv_<hash(subscriptionId | periodStart | 'period')>` for a
 * period's invoice, `inv_<hash(subscriptionId | eventId)>` for one a change caused.
 */
export const invoiceIdFor = (subscriptionId: string, invoiceKey: string): string => {
  const [kind, ...rest] = invoiceKey.split(':');
  const what = rest.join(':');
  if (kind === 'period') return `inv_${hash(`${subscriptionId}|${what}|period`)}`;
  if (kind === 'change') return `inv_${hash(`${subscriptionId}|${what}`)}`;
  throw new Error(`not an invoice key: ${invoiceKey}`);
};
