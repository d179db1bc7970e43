/**
 * Protocol v1's messages as plain TypeScript types. Written out (not inferred from the zod
 * schemas) so that the core and its type declarations need no zod; a type test keeps each
 * equal to what its schema in `schemas.ts` infers.
 */
import type { Filters } from './filters.js';

/** An event as it travels on the wire. @example `const ev: EventMessage = JSON.parse(frame)` */
export type EventMessage = {
  event_type?: string | undefined;
  type?: string | undefined;
  timestamp: string;
  data: unknown;
  metadata?: Record<string, unknown> | undefined;
  seq?: number | undefined;
  message_id?: string | undefined;
  requires_ack?: boolean | undefined;
  [key: string]: unknown;
};
/** @see BatchMessageSchema @example `{ type: 'batch', events: [] } satisfies BatchMessage` */
export type BatchMessage = {
  type: 'batch';
  events: EventMessage[];
};
/** @see PingMessageSchema @example `{ type: 'ping' } satisfies PingMessage` */
export type PingMessage = {
  type: 'ping';
  ts?: number | undefined;
};
/** @see PongMessageSchema @example `{ type: 'pong' } satisfies PongMessage` */
export type PongMessage = {
  type: 'pong';
  ts?: number | undefined;
};
/** @see WelcomeMessageSchema @example `{ type: 'welcome', session_id: 's' } satisfies WelcomeMessage` */
export type WelcomeMessage = {
  type: 'welcome';
  session_id: string;
  heartbeat_interval?: number | undefined;
  protocol?: number | undefined;
  server_time?: string | undefined;
};
/** @see SubscribedMessageSchema @example `{ type: 'subscribed', id: 'a' } satisfies SubscribedMessage` */
export type SubscribedMessage = {
  type: 'subscribed';
  id: string;
  events?: string[] | undefined;
  seq?: number | undefined;
  gap?: { from: number; to: number } | undefined;
};
/** @see UnsubscribedMessageSchema @example `{ type: 'unsubscribed', id: 'a' } satisfies UnsubscribedMessage` */
export type UnsubscribedMessage = {
  type: 'unsubscribed';
  id: string;
};
/** @see ErrorMessageSchema @example `{ type: 'error', code: 'x', message: 'y' } satisfies ErrorMessage` */
export type ErrorMessage = {
  type: 'error';
  code: string;
  message: string;
  id?: string | undefined;
};
/** @see ResponseMessageSchema @example `{ id: 'r', success: true } satisfies ResponseMessage` */
export type ResponseMessage = {
  id: string;
  success: boolean;
  result?: unknown;
  error?: { code: string; message: string } | undefined;
};
/** @see AuthMessageSchema @example `{ type: 'auth', token: 't' } satisfies AuthMessage` */
export type AuthMessage = {
  type: 'auth';
  token: string;
};
/** @see SubscribeMessageSchema @example `{ type: 'subscribe', id: 'a', events: [] } satisfies SubscribeMessage` */
export type SubscribeMessage = {
  type: 'subscribe';
  id: string;
  events: string[];
  filters?: Filters | undefined;
  since?: string | number | undefined;
};
/** @see UnsubscribeMessageSchema @example `{ type: 'unsubscribe', id: 'a' } satisfies UnsubscribeMessage` */
export type UnsubscribeMessage = {
  type: 'unsubscribe';
  id: string;
};
/** @see AckMessageSchema @example `{ type: 'ack', message_id: 'm' } satisfies AckMessage` */
export type AckMessage = {
  type: 'ack';
  message_id: string;
};
/** @see RequestMessageSchema @example `{ id: 'r', method: 'm' } satisfies RequestMessage` */
export type RequestMessage = {
  id: string;
  method: string;
  params?: unknown;
};
/** Any server-to-client message. @example `function onFrame(m: ServerMessage) {}` */
export type ServerMessage =
  | BatchMessage
  | PingMessage
  | PongMessage
  | WelcomeMessage
  | SubscribedMessage
  | UnsubscribedMessage
  | ErrorMessage
  | ResponseMessage
  | EventMessage;
/** Any client-to-server message. @example `function send(m: ClientMessage) {}` */
export type ClientMessage =
  | AuthMessage
  | PingMessage
  | PongMessage
  | SubscribeMessage
  | UnsubscribeMessage
  | AckMessage
  | RequestMessage;
