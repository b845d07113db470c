/** A source of instants. */
export type Clock = Readonly<{ now: () => Date }>;

/** Real time, as the operating system tells it. */
export const wallClock: Clock = { now: () => new Date() };

/**
 * The two clocks of a process, built once when it starts (openClocks) and
 * handed to what needs time:
 * - `domain`, business time: every command's `occurredAt`, billing, the
 *   triggers and dunning. Under CLOCK=simulated it is the test clock, moved
 *   only when told to (and then `simulated` is that clock).
 * - `wall`, real time: sessions and refresh tokens, access tokens, rate
 *   limits, kept idempotency answers, leases and job timeouts.
 * On a real clock they are one clock. An instant of one is never compared
 * with an instant of the other: on a simulated clock they can be years apart.
 */
export type Clocks<Simulated extends Clock = Clock> = Readonly<{ wall: Clock; domain: Clock; simulated: Simulated | undefined }>;
