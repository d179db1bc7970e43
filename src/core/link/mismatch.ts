import { words } from '#words';
import { V1_SEEN } from '../../dialects/shared.js';
import { sniffDialect } from '../../dialects/sniff.js';
import type { EventwireError } from '../../errors/base.js';
import { DialectMismatchError } from '../../errors/errors.js';

/** @internal What to use for a server whose messages `reads` reads. */
export const use = (reads: string): string => (reads === 'eventwire' ? 'no dialect option' : `dialect: ${reads}()`);

/** Frames in a row the dialect cannot read before the built-in dialects' shapes are tried. */
const UNREAD_IN_A_ROW = 3;

/**
 * @internal Watches for a dialect that is not the server's: after {@link UNREAD_IN_A_ROW}
 * frames in a row its reader refused, and that one of the built-in dialects reads (by shape,
 * {@link sniffDialect}), one `DialectMismatchError` names that dialect; from then on, frames
 * of that shape that the reader refuses are counted (`counted`, in `stats()`) instead of a
 * `DecodeError` each, until the reader reads {@link UNREAD_IN_A_ROW} frames in a row again (it was a
 * glitch: later ones are reported again, each a `DecodeError`). Per client, the hint is said once.
 *
 * Made on the first frame the reader refuses: the inbox keeps the value being read and its
 * refusals so far, and tells the watch of each frame read without one ({@link MismatchWatch.read}).
 */
export class MismatchWatch {
  /** Frames counted instead of reported. */
  counted = 0;
  #row = 0;
  /** The dialect the hint named; its frames are counted from then on, until {@link UNREAD_IN_A_ROW} are read in a row. */
  #reads: string | undefined;
  /** Frames read in a row since the hint. */
  #good = 0;
  #hinted = false;
  readonly #dialect: string;

  constructor(dialect: string) {
    this.#dialect = dialect;
  }

  /** A frame was read without an error: the row ends. */
  read(): void {
    this.#row = 0;
    // the dialect reads the server again (a glitch, not a wrong dialect): such frames are reported again
    if (this.#reads !== undefined && ++this.#good >= UNREAD_IN_A_ROW) this.#reads = undefined;
  }

  /**
   * The reader refused `value`, the frame being read (`error`, already named after the dialect;
   * the inbox reports a second complaint about one frame itself): returns what to report (`error`, or the one `DialectMismatchError`), or undefined when
   * the frame is counted instead.
   */
  refused(error: EventwireError, value: unknown): EventwireError | undefined {
    this.#row++;
    this.#good = 0;
    // protocol v1's greeting names its server at once (no other server sends one), and stops the client
    // refused by a built-in dialect of another server as v1's welcome (the link stops the client on it)
    if (error.cause === V1_SEEN)
      return new DialectMismatchError(
        words
          ? `the server greeted as a protocol v1 server, which the ${this.#dialect} dialect cannot read: ` +
              `use no dialect option (eventwire's own)`
          : `v1 welcome, not ${this.#dialect}`,
        this.#dialect,
        'eventwire',
      );
    if (this.#reads !== undefined) {
      if (sniffDialect(value) !== this.#reads) return error;
      this.counted++;
      return undefined;
    }
    if (this.#hinted || this.#row < UNREAD_IN_A_ROW) return error; // the hint is said once: then each one
    const reads = sniffDialect(value);
    if (reads === undefined || reads === this.#dialect) return error;
    this.#reads = reads;
    this.#hinted = true;
    return new DialectMismatchError(
      words
        ? `${this.#row} frames in a row the ${this.#dialect} dialect cannot read are ${reads} frames: ` +
            `use ${use(reads)}; ` +
            `more are counted in stats().mismatchedFrames (the last: ${error.message})`
        : `${this.#row} ${reads} frames in a row, not ${this.#dialect} (the last: ${error.message})`,
      this.#dialect,
      reads,
    );
  }
}
