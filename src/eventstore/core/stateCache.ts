/**
 * The last state this process folded or wrote for a stream, so that the next
 * command on a hot stream need not read it all again. Bounded; the least
 * recently used stream goes first. Whoever decides on a remembered state must
 * let an append with that state's revision confirm it (see users.ts): another
 * process may have written since.
 */
export const stateCache = <T>(capacity: number) => {
  const entries = new Map<string, T>();
  return {
    get(key: string): T | undefined {
      const value = entries.get(key);
      if (value !== undefined) {
        entries.delete(key);
        entries.set(key, value);
      }
      return value;
    },
    remember(key: string, value: T): void {
      entries.delete(key);
      entries.set(key, value);
      if (entries.size > capacity) entries.delete(entries.keys().next().value!);
    },
    forget(key: string): void {
      entries.delete(key);
    },
  };
};
