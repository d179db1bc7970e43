import { CONTROL_TYPES } from '../protocol/event.js';
import { isName, isObject } from './shared.js';

/**
 * @internal Which built-in dialect reads a decoded message, by its shape alone: a few property
 * checks, so that the core can name the right dialect without carrying every reader. Undefined
 * when none plainly does (or the shape is common to several). Pure; allocates nothing.
 *
 * - buster: `{route, event, payload}`;
 * - mdb: `{type, app_slug, ...}` (the engine stamps every message with its app);
 * - eventwire (provisioning reads the same): `{event_type, timestamp, data}`, a control
 *   message (`welcome`, `subscribed`, `batch`...), or `{type, timestamp, data}`;
 * - forge: `{event_type, data}` with no timestamp beside it, or an answer whose error is a string;
 * - querri: any other `{type}`.
 */
export function sniffDialect(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  if (isName(value.route)) return 'buster';
  const type = value.type;
  if (isName(type) && typeof value.app_slug === 'string') return 'mdb';
  if (isName(value.event_type)) {
    if (typeof value.timestamp === 'string') return 'eventwire';
    return 'data' in value ? 'forge' : undefined;
  }
  if (typeof value.id === 'string' && typeof value.success === 'boolean') {
    return typeof value.error === 'string' ? 'forge' : undefined;
  }
  if (!isName(type)) return undefined;
  return CONTROL_TYPES.has(type) || ('data' in value && 'timestamp' in value) ? 'eventwire' : 'querri';
}
