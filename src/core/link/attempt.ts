import { words } from '#words';
import type { Dialect } from '../../dialects/dialect.js';
import { ConnectionError, TokenProviderError } from '../../errors/errors.js';
import type { ResolvedOptions } from '../../options.js';
import { type Held, Lane } from '../outbox/outbox.js';
import { serverOf } from './failure.js';

/**
 * @internal Gets the token of one attempt: `got` with it (undefined without a token option),
 * or `failed` with a `TokenProviderError` (the provider threw, rejected or returned no string).
 * Asynchronous for a provider, also when it throws; the caller checks the attempt is still
 * current.
 */
export function fetchToken(
  option: ResolvedOptions['token'],
  got: (token: string | undefined) => void,
  failed: (error: TokenProviderError) => void,
): void {
  if (option === undefined) {
    got(undefined);
    return;
  }
  let token: string | Promise<string>;
  try {
    token = typeof option === 'string' ? option : option();
  } catch (cause) {
    queueMicrotask(() => failed(new TokenProviderError(cause)));
    return;
  }
  Promise.resolve(token).then(
    (value) => {
      // '' is no token, as the option refuses it: a logged-out `?? ''` is retried and said, not sent for an AuthError
      if (typeof value === 'string' && value !== '') got(value);
      else
        failed(
          new TokenProviderError(
            new TypeError(`token provider returned ${value === '' ? 'an empty string' : typeof value}`),
          ),
        );
    },
    (cause: unknown) => failed(new TokenProviderError(cause)),
  );
}

/**
 * @internal The `{type:"auth", token}` message of `auth: 'message'`, held in the outbox's auth
 * lane: first on every socket, with the token of that socket's attempt.
 */
export class AuthMessage implements Held {
  link = 0;
  constructor(
    readonly token: () => string | undefined,
    readonly dialect: Dialect,
    readonly encode: (message: object) => string,
  ) {}
  get lane(): typeof Lane.Auth {
    return Lane.Auth;
  }
  frame(): string | undefined {
    const token = this.token();
    return token === undefined ? undefined : this.encode(this.dialect.auth(token));
  }
}

/**
 * @internal The report of sockets the server accepted and dropped at once, twice in a row,
 * with nothing said (`after`: ms the last one lived; `attempt`: its number).
 */
export function droppedAtOnce(dialect: string, url: string, after: number, attempt: number): ConnectionError {
  const server = serverOf(url);
  const { host } = new URL(url);
  const ms = Math.round(after);
  return new ConnectionError(
    words
      ? `the ${dialect} server at ${host} accepted the connection and dropped it ${ms} ms later, ` +
          'twice in a row, with no close frame and no message: some servers (mdb_engine) do this for a token they refuse, so check the token'
      : `the ${dialect} server at ${host} dropped the connection ${ms} ms after open, twice`,
    attempt,
    { kind: 'dropped', url: server },
  );
}

/** @internal A frame's kind and size, for the debug log (never its content: it is the user's data). */
export function describeFrame(data: string | ArrayBuffer | Uint8Array | Blob, text: boolean): string {
  const size = typeof data === 'string' ? data.length : 'size' in data ? data.size : data.byteLength;
  return `${text ? 'text' : 'binary'} frame, ${size} ${typeof data === 'string' ? 'chars' : 'bytes'}`;
}
