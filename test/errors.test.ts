import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import {
  AbortError,
  AuthError,
  ClosedError,
  ConnectionError,
  DecodeError,
  type DecodeReason,
  DialectMismatchError,
  EncodeError,
  EventwireError,
  FilterError,
  HandlerError,
  HookError,
  isAuthError,
  isDecodeError,
  isEventwireError,
  OptionsError,
  QueueFullError,
  ReconnectExhaustedError,
  RequestError,
  ServerError,
  SubscriptionEndedError,
  TimeoutError,
  TokenProviderError,
  ValidationError,
} from '../src/index.js';

const cause = new Error('socket hang up');

/** One of each class, with the code, guard and context fields it must carry. */
const cases: Array<{ error: EventwireError; code: string; fields: Record<string, unknown> }> = [
  { error: new OptionsError('url is required'), code: 'ERR_OPTIONS', fields: {} },
  { error: new AuthError(4003, 'invalid token'), code: 'ERR_AUTH', fields: { closeCode: 4003 } },
  { error: new TokenProviderError(cause), code: 'ERR_TOKEN_PROVIDER', fields: { cause } },
  { error: new ReconnectExhaustedError(3, cause), code: 'ERR_RECONNECT_EXHAUSTED', fields: { attempts: 3, cause } },
  { error: new ClosedError(1002, 'protocol error'), code: 'ERR_CLOSED', fields: { closeCode: 1002 } },
  { error: new TimeoutError('no welcome in 10000 ms'), code: 'ERR_TIMEOUT', fields: {} },
  {
    error: new ValidationError('TaskStatusChanged', [{ message: 'Invalid input', path: ['status'] }]),
    code: 'ERR_VALIDATION',
    fields: { eventType: 'TaskStatusChanged', issues: [{ message: 'Invalid input', path: ['status'] }] },
  },
  {
    error: new DecodeError({ reason: 'invalid_batch_members', message: '3 dropped', cause, count: 3 }),
    code: 'ERR_DECODE',
    fields: { reason: 'invalid_batch_members', count: 3, held: undefined, cause },
  },
  { error: new HandlerError('LogEntry', cause), code: 'ERR_HANDLER', fields: { eventType: 'LogEntry', cause } },
  { error: new HookError('shouldRetry', cause), code: 'ERR_HOOK', fields: { hook: 'shouldRetry', dialect: undefined } },
  {
    error: new SubscriptionEndedError('sub-7'),
    code: 'ERR_SUBSCRIPTION_ENDED',
    fields: { subscriptionId: 'sub-7' },
  },
  { error: new ServerError('rate_limited', 'slow down'), code: 'ERR_SERVER', fields: { serverCode: 'rate_limited' } },
  { error: new FilterError('filter key "": empty'), code: 'ERR_FILTER', fields: {} },
  {
    error: new RequestError('tasks.retry', 'not_found', 'no such task'),
    code: 'ERR_REQUEST',
    fields: { method: 'tasks.retry', serverCode: 'not_found' },
  },
  { error: new AbortError('user left'), code: 'ERR_ABORTED', fields: { cause: 'user left' } },
  { error: new QueueFullError('the outbox', 1000), code: 'ERR_QUEUE_FULL', fields: { limit: 1000 } },
  { error: new EncodeError('the message could not be encoded', cause), code: 'ERR_ENCODE', fields: { cause } },
  { error: new ConnectionError('dropped at once', 4), code: 'ERR_CONNECTION', fields: { attempts: 4 } },
  {
    error: new DialectMismatchError('3 frames of another dialect', 'querri', 'eventwire'),
    code: 'ERR_DIALECT_MISMATCH',
    fields: { dialect: 'querri', reads: 'eventwire' },
  },
];

const guards = api as unknown as Record<string, (value: unknown) => boolean>;

describe('errors', () => {
  it.each(cases.map((c) => [c.error.name, c] as const))('%s: its code, name, guard and context', (name, c) => {
    expect(c.error).toBeInstanceOf(EventwireError);
    expect(c.error).toBeInstanceOf(Error);
    expect(c.error.name).toBe(name);
    expect(c.error.code).toBe(c.code);
    expect(c.error.message).not.toBe('');
    expect(c.error).toMatchObject(c.fields);
    const guard = guards[`is${name}`];
    expect(guard, `is${name} is exported`).toBeTypeOf('function');
    expect(guard?.(c.error)).toBe(true);
    for (const other of cases) if (other !== c) expect(guard?.(other.error)).toBe(false);
  });

  it('every class and every code is covered above, once', () => {
    const classes = Object.entries(api).filter(
      ([, v]) => typeof v === 'function' && v.prototype instanceof EventwireError,
    );
    expect(classes.map(([k]) => k).sort()).toEqual(cases.map((c) => c.error.name).sort());
    expect(new Set(cases.map((c) => c.code)).size).toBe(cases.length);
  });

  it('carry their cause', () => {
    expect(new ReconnectExhaustedError(3, cause).cause).toBe(cause);
  });

  it('guards compare the class and the name, and work across package copies', () => {
    const e = new DecodeError('invalid_json', 'bad');
    expect(isDecodeError(e)).toBe(true);
    expect(isAuthError(e)).toBe(false);
    // an error made by another copy of the package: same marker and name, other class
    const foreign = Object.assign(new Error('x'), { name: 'AuthError', code: 'ERR_AUTH' });
    (foreign as unknown as Record<symbol, unknown>)[Symbol.for('eventwire.error')] = true;
    expect(isEventwireError(foreign)).toBe(true);
    expect(isAuthError(foreign)).toBe(true);
    // Node's own errors have ERR_ codes too; they are not ours
    const node = Object.assign(new TypeError('x'), { code: 'ERR_INVALID_ARG_TYPE' });
    expect(isEventwireError(node)).toBe(false);
  });

  it('DecodeError: the short form (reason, message, cause) and the options form agree', () => {
    const short = new DecodeError('no_event_name', 'a message needs a kind');
    const long = new DecodeError({ reason: 'no_event_name', message: 'a message needs a kind' });
    for (const e of [short, long]) {
      expect([e.reason, e.message, e.count, e.held, e.cause]).toEqual([
        'no_event_name',
        'a message needs a kind',
        1,
        undefined,
        undefined,
      ]);
    }
    // with a cause, as the core's own decoders make them: the same error as the options form's
    const cause = new SyntaxError('Unexpected token');
    const caused = new DecodeError('invalid_json', 'frame is not valid JSON', cause);
    expect([caused.reason, caused.message, caused.count, caused.cause]).toEqual([
      'invalid_json',
      'frame is not valid JSON',
      1,
      cause,
    ]);
    const held = new DecodeError({ reason: 'too_large', message: 'over the cap', held: 4096 });
    expect(held.held).toBe(4096);
    // @ts-expect-error reason is a union of the stable reasons, not any string
    const loose: DecodeReason = 'made_up';
    expect(loose).toBe('made_up');
  });

  it('HookError names the hook, and the dialect for a dialect hook', () => {
    const own = new HookError('classify', cause);
    expect(own.message).toBe('the classify hook threw: socket hang up');
    const dialect = new HookError('subscribe', cause, 'buggy');
    expect([dialect.hook, dialect.dialect]).toEqual(['subscribe', 'buggy']);
    expect(dialect.message).toMatch(/buggy dialect's subscribe\(\)/);
  });

  it('ValidationError names the event and its issues', () => {
    const e = new ValidationError('TaskStatusChanged', [{ message: 'Invalid input', path: ['status'] }]);
    expect(e.message).toBe('event TaskStatusChanged failed its schema: status: Invalid input');
  });
});

describe("a server's words in an error", () => {
  it('are cut to 100 and 1,000 characters, and what is no string (a custom dialect passing undefined) is said, not a TypeError', () => {
    expect(new ServerError('E1', undefined as never).message).toBe('server error E1: undefined');
    expect(new RequestError('m', 7 as never, { a: 1 } as never).message).toBe('m failed: 7: [object Object]');
    expect(new ServerError('c'.repeat(101), 'ok').serverCode).toBe(`${'c'.repeat(100)}… (1 more characters)`);
  });
});
