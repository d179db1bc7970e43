/**
 * The reference server's frame encoder: JSON text, or gzip of the JSON as one binary
 * frame; events alone or in `{type:"batch"}` envelopes. Negotiated per connection with
 * the URL parameters the source servers use: `compression=true&batch_size=N&batch_interval=MS`.
 */
import { gzipSync } from 'node:zlib';
import { WebSocket } from 'ws';

export interface Encoding {
  compression: boolean;
  /** 1 means no batching. */
  batchSize: number;
  /** ms after which a partial batch is flushed. */
  batchInterval: number;
}

export function negotiate(params: URLSearchParams): Encoding {
  const size = Number(params.get('batch_size') ?? 1);
  const interval = Number(params.get('batch_interval') ?? 10);
  return {
    compression: params.get('compression') === 'true',
    batchSize: Number.isInteger(size) && size > 1 ? Math.min(size, 10_000) : 1,
    batchInterval: Number.isFinite(interval) && interval >= 0 ? interval : 10,
  };
}

/** One message as one frame. */
function encodeFrame(message: object, compression: boolean): string | Buffer {
  const text = JSON.stringify(message);
  return compression ? gzipSync(text) : text;
}

/** What the batching sender needs of a connection. */
export interface EncodedConn {
  ws: WebSocket;
  frozen: boolean;
  encoding: Encoding;
  batch: object[];
  batchTimer: ReturnType<typeof setTimeout> | undefined;
  /** Frames sent, by kind. */
  sent: { text: number; binary: number };
}

/** Sends an event, batched and compressed as the connection negotiated. */
export function sendEvent(conn: EncodedConn, event: object): void {
  if (conn.frozen) return;
  const { batchSize, batchInterval, compression } = conn.encoding;
  if (batchSize <= 1) {
    sendFrame(conn, encodeFrame(event, compression));
    return;
  }
  conn.batch.push(event);
  if (conn.batch.length >= batchSize) flushBatch(conn);
  else if (!conn.batchTimer) conn.batchTimer = setTimeout(() => flushBatch(conn), batchInterval);
}

/** Sends the pending batch now (before a control message, so order is kept). */
export function flushBatch(conn: EncodedConn): void {
  clearTimeout(conn.batchTimer);
  conn.batchTimer = undefined;
  if (conn.batch.length === 0) return;
  const events = conn.batch.splice(0);
  sendFrame(conn, encodeFrame({ type: 'batch', events }, conn.encoding.compression));
}

/** Sends one frame as it is, unless the connection is frozen or no longer open. */
export function sendFrame(conn: EncodedConn, frame: string | Buffer): void {
  if (conn.frozen || conn.ws.readyState !== WebSocket.OPEN) return;
  conn.ws.send(frame);
  if (typeof frame === 'string') conn.sent.text++;
  else conn.sent.binary++;
}
