import { describe, expect, it } from 'vitest';
import { type CloseFacts, DEFAULT_BACKOFF, type Decision, decide, type RetryPolicy } from '../src/advanced.js';
import {
  ConnectionError,
  DialectMismatchError,
  isAuthError,
  isClosedError,
  isHookError,
  isReconnectExhaustedError,
} from '../src/index.js';

/** No jitter, 100 ms doubling to 1.6 s, 5 retries, 1 s of uptime makes a link stable. */
const policy: RetryPolicy = {
  backoff: { ...DEFAULT_BACKOFF, minDelay: 100, maxDelay: 1_600, jitter: 'none', maxRetries: 5, minUptime: 1_000 },
  random: () => 0.5,
};

const facts = (f: Partial<CloseFacts>): CloseFacts => ({
  code: 1006,
  reason: '',
  attempt: 0,
  uptime: undefined,
  lastWasRefresh: false,
  refreshable: true,
  ...f,
});

/** What a decision says, in one comparable string. */
const verdict = (d: Decision): string => {
  if ('retryIn' in d) return `retry ${d.retryIn} #${d.attempt}${d.lastWasRefresh ? ' refreshed' : ''}`;
  const kind = isAuthError(d.stop)
    ? 'auth'
    : isClosedError(d.stop)
      ? 'closed'
      : isReconnectExhaustedError(d.stop)
        ? 'exhausted'
        : 'other';
  return `stop ${kind} #${d.attempt}`;
};

describe('decide(): close code x attempt x uptime -> decision', () => {
  // [code, failed attempts before, uptime (undefined: never opened), lastWasRefresh, expected]
  const table: Array<[number, number, number | undefined, boolean, string]> = [
    // network failures back off, doubling, capped, until the budget is spent
    [1006, 0, undefined, false, 'retry 100 #1'],
    [1006, 1, undefined, false, 'retry 200 #2'],
    [1006, 4, undefined, false, 'retry 1600 #5'],
    [1006, 5, undefined, false, 'stop exhausted #6'],
    // a link that stayed up minUptime starts the count again; a short one does not
    [1006, 5, 1_000, false, 'retry 100 #1'],
    [1006, 3, 999, false, 'retry 800 #4'],
    [1001, 0, 60_000, false, 'retry 100 #1'],
    [1000, 2, undefined, false, 'retry 400 #3'],
    [1011, 0, undefined, false, 'retry 100 #1'],
    // token expired: refresh at once, once per stable link; then backoff
    [4001, 0, 60_000, false, 'retry 0 #1 refreshed'],
    [4001, 1, 10, true, 'retry 200 #2 refreshed'],
    [4001, 2, undefined, true, 'retry 400 #3 refreshed'],
    [4001, 3, 5_000, true, 'retry 0 #1 refreshed'],
    [4001, 5, 10, true, 'stop exhausted #6'],
    // credentials refused, with a token function: ask it again, at once (the refusal rule's table is below)
    [4003, 0, undefined, false, 'retry 0 #1 refreshed'],
    [1008, 3, 60_000, false, 'retry 0 #1 refreshed'],
    // protocol errors: stop with ClosedError
    [1002, 0, undefined, false, 'stop closed #1'],
    [1003, 0, 10, false, 'stop closed #1'],
    [1007, 2, undefined, false, 'stop closed #3'],
    [4400, 0, undefined, false, 'stop closed #1'],
  ];
  for (const [code, attempt, uptime, lastWasRefresh, expected] of table) {
    it(`${code} after ${attempt} failures, up ${uptime ?? 'never'}${lastWasRefresh ? ', refreshed' : ''}: ${expected}`, () => {
      expect(verdict(decide(facts({ code, attempt, uptime, lastWasRefresh }), policy))).toBe(expected);
    });
  }

  describe('one rule for refused credentials', () => {
    // [code, token function?, previous close a refusal?, uptime of this link, lastWasRefresh, expected]
    const refusals: Array<[number, boolean, boolean, number | undefined, boolean, string]> = [
      // a static token cannot change: any refusal stops
      [4003, false, false, undefined, false, 'stop auth #1'],
      [4001, false, false, 60_000, false, 'stop auth #1'],
      [1008, false, false, undefined, false, 'stop auth #1'],
      // a token function is asked again, at once
      [4001, true, false, undefined, false, 'retry 0 #1 refreshed'],
      [4003, true, false, undefined, false, 'retry 0 #1 refreshed'],
      // a second refusal in a row, no link opened in between: stop
      [4003, true, true, undefined, true, 'stop auth #2'],
      [4001, true, true, undefined, true, 'stop auth #2'],
      // a link opened in between: a new refusal is a new streak (at once after a stable link, else after backoff)
      [4001, true, true, 60_000, true, 'retry 0 #1 refreshed'],
      [4001, true, true, 10, true, 'retry 200 #2 refreshed'],
    ];
    for (const [code, refreshable, lastWasRefusal, uptime, lastWasRefresh, expected] of refusals) {
      const attempt = lastWasRefusal ? 1 : 0;
      it(`${code}, ${refreshable ? 'token function' : 'static token'}${lastWasRefusal ? ', refused just before' : ''}, up ${uptime ?? 'never'}: ${expected}`, () => {
        const d = decide(facts({ code, attempt, uptime, lastWasRefresh, lastWasRefusal, refreshable }), policy);
        expect(verdict(d)).toBe(expected);
        expect(d.lastWasRefusal).toBe(true);
      });
    }

    it('a close that is not a refusal ends the streak', () => {
      expect(decide(facts({ code: 1006, lastWasRefusal: true }), policy).lastWasRefusal).toBe(false);
    });
  });

  it('shouldRetry overrides the table both ways, and is told what the table says', () => {
    const seen: unknown[] = [];
    const never: RetryPolicy = {
      ...policy,
      shouldRetry: (c) => {
        seen.push(c);
        return false;
      },
    };
    const always: RetryPolicy = { ...policy, shouldRetry: () => true };
    expect(verdict(decide(facts({ code: 1006 }), never))).toBe('stop closed #1');
    expect(verdict(decide(facts({ code: 4003 }), never))).toBe('stop auth #1'); // stays an auth failure
    expect(verdict(decide(facts({ code: 4001 }), never))).toBe('stop auth #1'); // a refusal too
    expect(verdict(decide(facts({ code: 4003 }), always))).toBe('retry 100 #1');
    expect(verdict(decide(facts({ code: 4001 }), always))).toBe('retry 0 #1 refreshed');
    expect(verdict(decide(facts({ code: 1006, attempt: 5 }), always))).toBe('stop exhausted #6'); // the budget holds
    expect(seen).toEqual([
      { code: 1006, reason: '', attempt: 1, action: 'retry', error: undefined },
      { code: 4003, reason: '', attempt: 1, action: 'auth', error: undefined },
      { code: 4001, reason: '', attempt: 1, action: 'refresh', error: undefined },
    ]);
  });

  it('a shouldRetry that throws leaves the table in charge and is returned to be reported', () => {
    const d = decide(facts({ code: 1006 }), {
      ...policy,
      shouldRetry: () => {
        throw new Error('bug in app code');
      },
    });
    expect(verdict(d)).toBe('retry 100 #1');
    expect(isHookError(d.hookError) && d.hookError.hook).toBe('shouldRetry');
  });

  it('a shouldRetry that returns no boolean (a path without its return) is reported, and the table decides', () => {
    const forgot = {
      ...policy,
      shouldRetry: (({ code }: { code: number }) => (code === 4000 ? false : undefined)) as never,
    };
    const d = decide(facts({ code: 1006 }), forgot);
    expect(verdict(d)).toBe('retry 100 #1');
    expect(isHookError(d.hookError) && d.hookError.message).toBe(
      'the shouldRetry hook returned nothing, not a boolean',
    );
    const auth = decide(facts({ code: 4003 }), forgot);
    expect([verdict(auth), isHookError(auth.hookError)]).toEqual([
      verdict(decide(facts({ code: 4003 }), policy)),
      true,
    ]);
    expect(decide(facts({ code: 4000 }), forgot).hookError).toBeUndefined();
    const async = { ...policy, shouldRetry: (async () => true) as never };
    expect(decide(facts({ code: 1006 }), async).hookError?.message).toBe(
      'the shouldRetry hook returned an object, not a boolean: it must be synchronous',
    );
  });

  it('full jitter draws the delay from [0, ceiling] with the random source given', () => {
    const jittered: RetryPolicy = { ...policy, backoff: { ...policy.backoff, jitter: 'full' }, random: () => 0.25 };
    expect(verdict(decide(facts({ attempt: 2 }), jittered))).toBe('retry 100 #3');
  });

  it('delays are whole milliseconds', () => {
    const jittered: RetryPolicy = { ...policy, backoff: { ...policy.backoff, jitter: 'full' }, random: () => 0.37 };
    const delays = [0, 1, 2, 3].map((attempt) => decide(facts({ attempt }), jittered));
    expect(delays.map((d) => ('retryIn' in d ? d.retryIn : -1))).toEqual([37, 74, 148, 296]); // not 148.00000000000003
  });

  it('a server of another dialect stops the client with that error, whatever the code; shouldRetry may insist', () => {
    const mismatch = new DialectMismatchError('ws://h/ did not select subprotocol eventwire.v1', 'eventwire');
    for (const code of [1006, 1000, 4001]) {
      const d = decide(facts({ code, error: mismatch }), policy);
      expect('stop' in d && d.stop).toBe(mismatch);
    }
    expect(verdict(decide(facts({ error: mismatch }), { ...policy, shouldRetry: () => true }))).toBe('retry 100 #1');
  });

  it('giving up names the last failure', () => {
    const last = new ConnectionError('cannot connect to ws://h/: connection refused (ECONNREFUSED)', 6);
    const d = decide(facts({ attempt: 5, error: last }), policy);
    expect('stop' in d && [d.stop.message, d.stop.cause]).toEqual([
      'gave up reconnecting after 5 attempts: cannot connect to ws://h/: connection refused (ECONNREFUSED)',
      last,
    ]);
    const once = decide(facts({ attempt: 1, error: last }), {
      ...policy,
      backoff: { ...policy.backoff, maxRetries: 1 },
    });
    expect('stop' in once && once.stop.message).toMatch(/^gave up reconnecting after 1 attempt: /);
    // maxRetries 0: the one attempt failed and no reconnect was tried ("after 0 attempts" counted nothing)
    const none = decide(facts({ attempt: 0, error: last }), {
      ...policy,
      backoff: { ...policy.backoff, maxRetries: 0 },
    });
    expect('stop' in none && none.stop.message).toBe(
      'did not reconnect (backoff.maxRetries is 0): cannot connect to ws://h/: connection refused (ECONNREFUSED)',
    );
  });
});
