/**
 * An instant as the system writes it (UTC, milliseconds, a four-digit year):
 * what a list's cursor carries. Date also spells years PostgreSQL cannot hold
 * (-271821), and takes Feb 30 for Mar 2, which a forged cursor must not reach.
 */
export const isInstantText = (text: unknown): text is string => {
  const ms = typeof text === 'string' && /^\d{4}-/.test(text) ? Date.parse(text) : NaN;
  return !Number.isNaN(ms) && new Date(ms).toISOString() === text;
};

/** A keyset cursor of an instant and an id, `<instant>|<id>`, decoded when both are what the system writes; undefined otherwise. */
export const instantAndId = (text: string, id: RegExp): Readonly<{ at: string; id: string }> | undefined => {
  const [at, rest = '', ...more] = text.split('|');
  return more.length === 0 && isInstantText(at) && id.test(rest) ? { at, id: rest } : undefined;
};
