export { type ErrorCode, EventwireError, isEventwireError } from './base.js';
export * from './errors.js';
export * from './guards.js';
