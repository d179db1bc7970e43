/**
 * closeAction's table of numbers and CloseCode's table of names say the same: the first load
 * carries only the numbers (src/protocol/close-codes.ts), so this holds the two to each other,
 * and both to PROTOCOL.md's table.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type CloseAction, CloseCode, closeAction } from '../src/advanced.js';

/** What each named code means, as CloseCode's TSDoc says it. */
const NAMED: Record<keyof typeof CloseCode, CloseAction> = {
  Normal: 'retry',
  GoingAway: 'retry',
  ProtocolError: 'fatal',
  UnsupportedData: 'fatal',
  Abnormal: 'retry',
  PolicyViolation: 'auth',
  MessageTooBig: 'retry',
  InternalError: 'retry',
  TokenExpired: 'refresh',
  Forbidden: 'auth',
};

describe('closeAction', () => {
  it('gives every named close code the action its name documents', () => {
    expect(Object.keys(NAMED).sort()).toEqual(Object.keys(CloseCode).sort());
    for (const [name, action] of Object.entries(NAMED))
      expect(closeAction(CloseCode[name as keyof typeof CloseCode]), name).toBe(action);
  });

  it('stops on the unnamed fatal codes (1007, 1010, 4400) and retries any other code', () => {
    for (const code of [1007, 1010, 4400]) expect(closeAction(code), String(code)).toBe('fatal');
    for (const code of [1005, 1012, 1013, 1015, 3000, 4000, 4002, 4004, 4999, 0, -1, 1.5])
      expect(closeAction(code), String(code)).toBe('retry');
  });
});

describe("PROTOCOL.md's table of close codes", () => {
  it('says of each code what closeAction does', () => {
    const text = readFileSync(new URL('../PROTOCOL.md', import.meta.url), 'utf8');
    const rows = [...text.matchAll(/^\| (\d{4}) \| [^|]* \| ([^|]*) \|$/gm)];
    expect(rows.length).toBeGreaterThanOrEqual(13);
    for (const [, code, does = ''] of rows) {
      const action: CloseAction = does.startsWith('reconnects')
        ? 'retry'
        : does.startsWith('calls the token provider')
          ? 'refresh'
          : does.includes('`AuthError`')
            ? 'auth'
            : 'fatal';
      if (action === 'fatal') expect(does, code).toMatch(/^stops: .*`ClosedError`/);
      expect(closeAction(Number(code)), `${code}: ${does}`).toBe(action);
    }
  });
});
