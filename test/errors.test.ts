import { describe, expect, it } from 'vitest';
import {
  AuthError,
  DecodeError,
  EventwireError,
  isAuthError,
  isDecodeError,
  isEventwireError,
  ReconnectExhaustedError,
  ValidationError,
} from '../src/index.js';

describe('errors', () => {
  it('share one base with a stable code and an overridden name', () => {
    const e = new AuthError(4003, 'invalid token');
    expect(e).toBeInstanceOf(EventwireError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('AuthError');
    expect(e.code).toBe('ERR_AUTH');
    expect(e.closeCode).toBe(4003);
    expect(e.message).toContain('4003');
  });

  it('carry their cause', () => {
    const cause = new Error('socket hang up');
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

  it('ValidationError names the event and its issues', () => {
    const e = new ValidationError('TaskStatusChanged', [{ message: 'Invalid input', path: ['status'] }]);
    expect(e.message).toBe('event TaskStatusChanged failed its schema: status: Invalid input');
  });
});
