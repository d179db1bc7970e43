/** Traffic samples kept for the rates: one a second at most, so 12 cover more than the window. */
const SAMPLES = 12;
/** Where the samples' array counts those taken (after them: no field of its own). */
const TAKEN = SAMPLES * 3;
/** The span the per-second rates are measured over, in ms. */
const WINDOW = 10_000;
/** Distinct error codes counted; a code beyond them counts as `other` (codes are a fixed set). */
const MAX_CODES = 32;

/**
 * The figures `stats()` adds for operators: connection time, reconnects and their rate,
 * messages in and out per second, errors by code.
 * @example `const { connectedForMs, reconnectsPerMinute, errorsByCode } = client.stats()`
 */
export interface ClientMetrics {
  /** Ms the current connection has been open (monotonic clock); 0 while not open. */
  connectedForMs: number;
  /** Ms open in all, every connection of this client together, the current one included. */
  connectedMs: number;
  /** Times the client went to `reconnecting`: each retry of a lost link or a failed attempt. */
  reconnects: number;
  /** Reconnects in the last 60 s (counted per second). */
  reconnectsPerMinute: number;
  /**
   * Messages the server sent for the client, in all: events (each event of a batch),
   * subscription confirmations, responses, errors. The greeting and the heartbeat's pings and
   * pongs are not counted, nor frames no dialect could read (those are `ERR_DECODE` errors).
   */
  messagesIn: number;
  /** Frames the client wrote for itself and its user, in all; heartbeat pings and pongs not counted. */
  messagesOut: number;
  /**
   * Per second, over the last 10 s when `stats()` is read at least that often, or else since
   * the previous read (the client keeps no timer for it), and since the client was made
   * during its first 10 s. Reading `stats()` takes a sample, at most one a second.
   */
  messagesInPerSecond: number;
  /** The same for {@link ClientMetrics.messagesOut}. */
  messagesOutPerSecond: number;
  /**
   * The errors emitted on `error` (a subscription's included), by `code`: `{ ERR_DECODE: 2 }`.
   * Rejections of a promise you await (a request, `ready()`) are yours and not counted.
   */
  errorsByCode: Record<string, number>;
}

/** The default clock, one function for every client (a default made per call would be one each). */
const monotonic = () => performance.now();

/**
 * @internal Counts for {@link ClientMetrics}. Nothing here runs per message but `received++`
 * (the outbox counts what it writes): rates come from samples of the totals that `read()`
 * takes, and times from a monotonic clock read on lifecycle events only.
 */
export class Metrics {
  /** Messages in so far (the core adds one for each). */
  received = 0;
  #reconnects = 0;
  readonly #now: () => number;
  readonly #born: number;
  #openedAt = -1;
  #connected = 0;
  /** Reconnects per second of the last minute (a ring indexed by second), made on the first one. */
  #perSecond: Uint32Array | undefined;
  #second = 0;
  /** Samples (time, in, out), oldest overwritten first, then how many were taken; made on the first `read()`. */
  #samples: Float64Array | undefined;
  #errors: Map<string, number> | undefined;

  constructor(now: () => number = monotonic) {
    this.#now = now;
    this.#born = now();
  }

  /** A lifecycle event of the client: `state` (open or not) and `reconnecting` count. */
  lifecycle(type: string, payload: unknown): void {
    if (type === 'reconnecting') {
      this.#reconnects++;
      const ring = this.roll(this.#now());
      const i = this.#second % 60;
      ring[i] = (ring[i] as number) + 1;
    } else if (type === 'state') {
      const { from, to } = payload as { from: string; to: string };
      const now = this.#now();
      if (from === 'open' && this.#openedAt >= 0) {
        this.#connected += now - this.#openedAt;
        this.#openedAt = -1;
      }
      if (to === 'open') this.#openedAt = now;
    }
  }

  /** An error reported to the user. */
  error(code: string): void {
    this.#errors ??= new Map();
    const errors = this.#errors;
    const key = errors.has(code) || errors.size < MAX_CODES - 1 ? code : 'other';
    errors.set(key, (errors.get(key) ?? 0) + 1);
  }

  /** The figures now, with `sent` (frames written so far); takes a sample for the rates. */
  read(sent: number): ClientMetrics {
    const now = this.#now();
    const open = this.#openedAt >= 0 ? now - this.#openedAt : 0;
    this.#samples ??= new Float64Array(SAMPLES * 3 + 1);
    const samples = this.#samples;
    const taken = samples[TAKEN] as number;
    // the base: the newest sample at least WINDOW old, else the client's birth (no message yet)
    let at = this.#born;
    let inAt = 0;
    let outAt = 0;
    for (let k = 1; k <= taken && k <= SAMPLES; k++) {
      const i = ((taken - k) % SAMPLES) * 3;
      if (now - (samples[i] as number) < WINDOW) continue;
      at = samples[i] as number;
      inAt = samples[i + 1] as number;
      outAt = samples[i + 2] as number;
      break;
    }
    if (taken === 0 || now - (samples[((taken - 1) % SAMPLES) * 3] as number) >= 1000) {
      const i = (taken % SAMPLES) * 3;
      samples[i] = now;
      samples[i + 1] = this.received;
      samples[i + 2] = sent;
      samples[TAKEN] = taken + 1;
    }
    const span = (now - at) / 1000;
    const ring = this.#perSecond && this.roll(now);
    return {
      connectedForMs: open,
      connectedMs: this.#connected + open,
      reconnects: this.#reconnects,
      reconnectsPerMinute: ring ? ring.reduce((a, b) => a + b, 0) : 0,
      messagesIn: this.received,
      messagesOut: sent,
      messagesInPerSecond: span > 0 ? (this.received - inAt) / span : 0,
      messagesOutPerSecond: span > 0 ? (sent - outAt) / span : 0,
      errorsByCode: this.#errors ? Object.fromEntries(this.#errors) : {},
    };
  }

  // `private`, not `#`: a class with a `#` method or accessor gives each instance a brand slot (8 bytes)
  /** The per-second ring, with the seconds since the last call emptied. */
  private roll(now: number): Uint32Array {
    this.#perSecond ??= new Uint32Array(60);
    const ring = this.#perSecond;
    const second = Math.floor(now / 1000);
    const gap = second - this.#second;
    if (gap >= 60) ring.fill(0);
    else for (let s = this.#second + 1; s <= second; s++) ring[s % 60] = 0;
    this.#second = second;
    return ring;
  }
}
