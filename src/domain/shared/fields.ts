/** Optional fields of an update: absent leaves the field as it was, `null` clears it. */
export const applyOptional = <T>(current: T | undefined, change: T | null | undefined): T | undefined =>
  change === undefined ? current : (change ?? undefined);

/** Metadata maps compared by content, whatever their key order; absent and null are empty. */
export const sameRecord = (
  a: Readonly<Record<string, string>> | null | undefined,
  b: Readonly<Record<string, string>> | null | undefined,
): boolean => JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b ?? {}).sort());
