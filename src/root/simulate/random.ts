/**
 * mulberry32: a tiny seeded PRNG (32-bit state), so one seed gives one
 * scenario on every machine. Not for anything secret.
 */
export type Random = Readonly<{
  /** [0, 1) */
  next: () => number;
  /** A whole number in [min, max]. */
  int: (min: number, max: number) => number;
  /** One of `items`, with the chance of each proportional to its weight. */
  weighted: <T>(items: readonly (readonly [T, number])[]) => T;
  pick: <T>(items: readonly T[]) => T;
}>;

export const seededRandom = (seed: number): Random => {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    weighted: (items) => {
      const total = items.reduce((sum, [, w]) => sum + w, 0);
      let r = next() * total;
      for (const [item, weight] of items) {
        if (r < weight) return item;
        r -= weight;
      }
      return items.at(-1)![0];
    },
    pick: (items) => items[int(0, items.length - 1)]!,
  };
};
