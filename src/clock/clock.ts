/** Domain time comes from a Clock port so tests and `simulate` can move it. */
export type Clock = Readonly<{ now: () => Date }>;
