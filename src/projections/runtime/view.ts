/** `past_due_since` → `pastDueSince`. */
type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

type Shown<V> = V extends Date ? string : V;

/**
 * A read-model row as the API and the CLI show it: keys in camelCase,
 * instants as ISO strings, null as absent. A jsonb value is kept as it is,
 * its keys untouched (metadata is the client's own).
 */
export type RowView<Row> = {
  readonly [K in keyof Row & string as CamelCase<K>]: null extends Row[K] ? Shown<Exclude<Row[K], null>> | undefined : Shown<Row[K]>;
};

/** Column names are few and fixed: each is converted once, not on every row of every read. */
const camelCased = new Map<string, string>();
const camelCase = (key: string): string => {
  let name = camelCased.get(key);
  if (name === undefined) {
    name = key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    camelCased.set(key, name);
  }
  return name;
};

/**
 * The one mapper from a row to its view, for the read models whose views
 * differ from their rows only in these ways. A view that reshapes its row
 * (nests a plan, computes a position) maps it by hand, and says why.
 */
export const rowView = <Row extends object>(row: Row): RowView<Row> => {
  const view: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    view[camelCase(key)] = value === null ? undefined : value instanceof Date ? value.toISOString() : value;
  }
  return view as RowView<Row>;
};
