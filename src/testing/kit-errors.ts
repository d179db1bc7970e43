/**
 * The testing kit's errors, in one place: every mistake and failure of its calls is an
 * `EventwireError` with a stable `code` (README's promise), and crosses HTTP
 * (`exposeTestServer` → `connectTestServer`) as the same class with the same message.
 */
import { describe, type EventwireError, isEventwireError, kind } from '../errors/base.js';
import { ConnectionError, type ConnectionFailure } from '../errors/connection.js';
import { ClosedError, EncodeError, OptionsError, RequestError, TimeoutError } from '../errors/errors.js';
import { fail, num, optionObject } from '../options-check.js';

/**
 * A `ClosedError` with `message` (the class's own speaks of a connection the client will not retry).
 * `closeCode` 1000: closed by its owner, as the client's calls after its own `close()` get.
 */
function closed(message: string, closeCode = 1000): ClosedError {
  const error = new ClosedError(closeCode, 'the test server is stopped');
  error.message = message;
  return error;
}

/**
 * @internal What a call on a stopped test server throws, and what a wait pending at `stop()` rejects with: a
 * `ClosedError`, as the client's calls after its `close()` get (`detail` says which call).
 */
export const stoppedError = (detail: string): ClosedError => closed(`the test server is stopped: ${detail}`);

/** @internal The `ClosedError` of a call made after `stop()`. */
export const calledAfterStop = (call: string): ClosedError =>
  stoppedError(`${call}() cannot run after stop() (start another with createTestServer())`);

/** @internal The `TimeoutError` of a wait (`nextMessage`, `connected`) that ran out of time. */
export const waitedTooLong = (call: string, what: string, hint: string): TimeoutError =>
  new TimeoutError(`${call}(): ${what} (${hint})`);

/** @internal An `OptionsError` unless `value` is a finite number at least `min` (`Infinity` would wait for ever). */
export function check(name: string, value: number, min: number): void {
  if (num(name, value, min) === Infinity) fail(name, `a finite number >= ${min}`, value);
}

/**
 * @internal A call's options object with known keys only (null, what JSON makes of undefined, is absent), and its
 * `timeout` a number > 0 (`Infinity`: none): else an `OptionsError`, as the client's own options (a misspelled key
 * was ignored; a string timeout fired at once).
 */
export function callOptions<T extends { timeout?: number }>(
  what: string,
  options: T | null | undefined,
  known: string,
): T {
  const checked =
    optionObject(`${what} options`, options ?? undefined, known.split(' '), `${what} option`) ?? ({} as T);
  if (checked.timeout !== undefined) num('timeout', checked.timeout, 0, true);
  return checked;
}

/**
 * @internal An `EncodeError` unless JSON holds `data` (undefined: the server's default): a BigInt or a cycle threw
 * JSON's TypeError only while a client was connected, a function became an event with no data.
 */
export function encodable(data: unknown): void {
  if (data === undefined) return;
  let text: string | undefined;
  try {
    text = JSON.stringify(data);
  } catch (error) {
    throw new EncodeError("publish(): the event's data cannot be sent as JSON", error);
  }
  if (text === undefined)
    throw new EncodeError(`publish(): the event's data cannot be sent as JSON: it is ${kind(data)}`);
}

/** @internal What the control server answers for a failed control: the error's message, code and name. */
export interface ErrorAnswer {
  error: string;
  code?: string;
  name?: string;
  /** A `ClosedError`'s. */
  closeCode?: number;
}

/**
 * @internal The HTTP status and body of a failed control: 400 for an eventwire error (the control could not be
 * done: a bad argument, a timeout, a stopped server), with its `code` and `name`; 500 for anything else.
 */
export function errorAnswer(error: unknown): { status: number; body: ErrorAnswer } {
  if (!isEventwireError(error))
    return { status: 500, body: { error: describe(error), name: error instanceof Error ? error.name : typeof error } };
  const { message, code, name } = error;
  const closeCode = (error as Partial<ClosedError>).closeCode;
  return { status: 400, body: { error: message, code, name, ...(closeCode === undefined ? {} : { closeCode }) } };
}

/**
 * @internal The error a failed control `op` rejects with on the calling side: the server's class (its `code`) with
 * its message, so that `isOptionsError`, `isTimeoutError`, `isClosedError` work across processes; a code the kit
 * never answers with (a failure of the kit itself) is a `RequestError` naming the control.
 */
export function rebuilt(op: string, status: number, answer: Partial<ErrorAnswer> | undefined): EventwireError {
  const message = typeof answer?.error === 'string' ? answer.error : `the control server answered HTTP ${status}`;
  switch (answer?.code) {
    case 'ERR_OPTIONS':
      return new OptionsError(message);
    case 'ERR_TIMEOUT':
      return new TimeoutError(message);
    case 'ERR_ENCODE':
      return new EncodeError(message);
    case 'ERR_CLOSED':
      return closed(message, typeof answer.closeCode === 'number' ? answer.closeCode : 1000);
  }
  return new RequestError(op, String(answer?.code ?? answer?.name ?? `HTTP ${status}`), message);
}

/**
 * @internal The `ConnectionError` of a control URL nothing answers at (fetch's bare `TypeError: fetch failed`):
 * it names the URL and why, from the network error fetch gives as its cause.
 */
export function unreachable(url: string, error: unknown): ConnectionError {
  const cause = (error as { cause?: { code?: unknown; errors?: Array<{ code?: unknown }> } } | undefined)?.cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  const failure: ConnectionFailure =
    code === 'ECONNREFUSED' ? 'refused' : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'dns' : 'network';
  const why =
    failure === 'refused' ? 'nothing listens there (ECONNREFUSED)' : describe(cause === undefined ? error : cause);
  return new ConnectionError(
    `cannot reach the test server's controls at ${url}: ${why}; is the process that called exposeTestServer() still running, and is this the url it gave?`,
    1,
    { kind: failure, url, cause: error },
  );
}
