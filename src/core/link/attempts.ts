import { words } from '#words';
import type { Dialect } from '../../dialects/dialect.js';
import { isBuiltin } from '../../dialects/guard.js';
import { sniffDialect } from '../../dialects/sniff.js';
import type { EventwireError } from '../../errors/base.js';
import { DialectMismatchError } from '../../errors/errors.js';
import type { ResolvedOptions } from '../../options.js';
import type { Clock } from '../util/clock.js';
import { droppedAtOnce } from './attempt.js';
import { type CloseFacts, type Decision, decide } from './decide.js';
import { attemptError, notSelected, timedOut } from './failure.js';
import { use } from './mismatch.js';
import { PhaseTimer } from './phase-timer.js';

/** The retry state {@link decide} carries from one close to the next. */
type Carry = Readonly<Pick<CloseFacts, 'attempt' | 'lastWasRefresh' | 'lastWasRefusal'>>;
const FRESH: Carry = { attempt: 0, lastWasRefresh: false, lastWasRefusal: false };

/** A socket closed this soon (ms) after it opened, with nothing heard, was dropped at once. */
const DROPPED_AT_ONCE = 1_000;

/**
 * @internal The link's attempts: what it knows of the current one's handshake (the subprotocol
 * the server selected: a v1 server that selects `eventwire.v1` promised its greeting, one that
 * selects none is another server; what opens the link; sockets dropped at once), how a failed
 * attempt is told (one typed error), and what a run of attempts carries: the retry state that
 * {@link decide} reads, and whether the console already showed a failure of the run.
 *
 * Sockets the server accepts and drops at once, with no close frame and nothing said (mdb_engine,
 * a token with a bad signature), again and again, are watched: each is retried like any failure,
 * and the streak is reported once (from the second such socket in a row), so that it does not
 * look like a hang. A lone drop is an ordinary network failure.
 *
 * It is also the link's {@link PhaseTimer} (extended, not held: one object less a client).
 */
export class Attempts extends PhaseTimer {
  /** The subprotocol the server selected on this attempt ('' none; undefined: not told). */
  selected: string | undefined;
  /** What opens this attempt's link: the option's, `required` once the server selected the subprotocol. */
  greeting: ResolvedOptions['greeting'];
  /** The console showed a failed attempt of this run already (until a link opens, or `connect()`). */
  quiet = false;
  #carry: Carry = FRESH;
  /** When the current socket opened (clock ms), and whether anything came on it since. */
  #openedAt = 0;
  #heard = false;
  /** Whether a frame came on this attempt's socket (a protocol pong is not one). */
  #framed = false;
  /** A built-in dialect other than this one that reads the frames read before the greeting (the last such). */
  #reads: string | undefined;
  /** Consecutive sockets dropped right after they opened. */
  #streak = 0;
  readonly #options: ResolvedOptions;

  constructor(options: ResolvedOptions) {
    super();
    this.#options = options;
    this.greeting = options.greeting;
  }

  protected get clock(): Clock {
    return this.#options.clock;
  }

  // `private`, not `#`: a class with a `#` method or accessor gives each instance a brand slot (8 bytes)
  /** The client's (guarded) dialect: the options'. */
  private get dialect(): Dialect {
    return this.#options.dialect;
  }

  /** The number of the attempt in flight: consecutive failed attempts before it, plus one. */
  get number(): number {
    return this.#carry.attempt + 1;
  }

  /** A new run (`connect()`): attempt 1, nothing refused or refreshed yet. */
  fresh(): void {
    this.#carry = FRESH;
    this.quiet = false;
  }

  /** `reconnect()`: the next attempt counts as the first. */
  restart(): void {
    this.#carry = { ...this.#carry, attempt: 0 };
  }

  /** The retry decision after a close or failed attempt, with the state the run carries. */
  decide(facts: Omit<CloseFacts, keyof Carry>, policy: Parameters<typeof decide>[1]): Decision {
    const decision = decide({ ...facts, ...this.#carry }, policy);
    const { attempt, lastWasRefresh, lastWasRefusal } = decision;
    this.#carry = { attempt, lastWasRefresh, lastWasRefusal };
    return decision;
  }

  /** The server answered the upgrade selecting none of the dialect's subprotocols: another server. */
  get notSelected(): boolean {
    const offered = this.dialect.protocols;
    return this.selected !== undefined && !!offered?.length && !offered.includes(this.selected);
  }

  /** The socket opened: what opens the link now (a server that selected the subprotocol greets). */
  opened(now: number): ResolvedOptions['greeting'] {
    this.#openedAt = now;
    this.#heard = this.#framed = false;
    this.#reads = undefined;
    const { greeting } = this.#options;
    this.greeting = greeting === 'optional' && this.selected ? 'required' : greeting;
    return this.greeting;
  }

  /** A timeout of the attempt in flight: `what` did not happen in time. */
  timedOut(what: string): EventwireError {
    return timedOut(this.#options.url, this.number, what);
  }

  /**
   * No greeting within `ms`: said so, with the promise a selected subprotocol made, or the frames that came
   * meanwhile (a server that speaks, but not this dialect's greeting: another dialect's server, most likely).
   */
  noGreeting(ms: number): EventwireError {
    const late = words
      ? `no greeting from the ${this.dialect.name} server within ${ms} ms`
      : `no ${this.dialect.name} greeting in ${ms} ms`;
    const reads = this.#reads;
    if (reads) {
      const said = words ? `${late}, and its messages are ${reads}'s: use ${use(reads)}` : `${late}: ${reads}'s`;
      return new DialectMismatchError(said, this.dialect.name, reads);
    }
    const spoke = this.selected ? `selected subprotocol ${this.selected}` : this.#framed ? 'sent frames' : '';
    if (!spoke) return this.timedOut(late);
    const said = this.selected ? `selected ${this.selected}` : 'frames came';
    return this.timedOut(words ? `${late}, though it ${spoke}: is it a server of that dialect?` : `${late} (${said})`);
  }

  /**
   * The socket closed (`up`: it had opened; `live`: the link was up or being made). Returns
   * the report of sockets dropped at once, twice in a row, if this is one.
   */
  closed(code: number, up: boolean, live: boolean): EventwireError | undefined {
    const after = this.clock.now() - this.#openedAt;
    if (!(code === 1006 && up && !this.#heard && live && after < DROPPED_AT_ONCE)) {
      this.#streak = 0;
      return undefined;
    }
    if (++this.#streak !== 2) return undefined;
    return droppedAtOnce(this.dialect.name, this.#options.url, after, this.number);
  }

  /**
   * A message read before a required greeting: a built-in dialect other than this one that reads it (by its
   * shape, `sniffDialect`) names the server if the greeting never comes (see {@link Attempts.noGreeting}).
   */
  early(value: unknown): void {
    if (!isBuiltin(this.dialect)) return; // a custom dialect's server may look like one of them
    const reads = sniffDialect(value);
    // `{type, data, timestamp}` is a guess at eventwire (v1 itself greets first: its welcome names it at once)
    if (reads !== undefined && reads !== this.dialect.name && reads !== 'eventwire') this.#reads = reads;
  }

  /** Something came on the socket: a frame ends a streak of drops, a protocol pong only proves life. */
  heard(frame: boolean): void {
    this.#heard = true;
    if (!frame) return;
    this.#streak = 0;
    this.#framed = true;
  }

  /** The one error of the attempt in flight, which ended before its link opened (`up`: its socket had). */
  failure(code: number, reason: string, error: unknown, status: number | undefined, up: boolean): EventwireError {
    const { url } = this.#options;
    if (this.notSelected) return notSelected(url, this.dialect.name, this.dialect.protocols ?? []);
    return attemptError({ url, code, reason, error, status, opened: up, attempt: this.number });
  }
}
