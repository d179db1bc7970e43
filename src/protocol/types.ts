import type * as z from 'zod/mini';
import type * as S from './schemas.js';

/** An event as it travels on the wire. @example `const ev: EventMessage = JSON.parse(frame)` */
export type EventMessage = z.infer<typeof S.EventMessageSchema>;
/** @see BatchMessageSchema @example `{ type: 'batch', events: [] } satisfies BatchMessage` */
export type BatchMessage = z.infer<typeof S.BatchMessageSchema>;
/** @see PingMessageSchema @example `{ type: 'ping' } satisfies PingMessage` */
export type PingMessage = z.infer<typeof S.PingMessageSchema>;
/** @see PongMessageSchema @example `{ type: 'pong' } satisfies PongMessage` */
export type PongMessage = z.infer<typeof S.PongMessageSchema>;
/** @see WelcomeMessageSchema @example `{ type: 'welcome', session_id: 's' } satisfies WelcomeMessage` */
export type WelcomeMessage = z.infer<typeof S.WelcomeMessageSchema>;
/** @see SubscribedMessageSchema @example `{ type: 'subscribed', id: 'a' } satisfies SubscribedMessage` */
export type SubscribedMessage = z.infer<typeof S.SubscribedMessageSchema>;
/** @see UnsubscribedMessageSchema @example `{ type: 'unsubscribed', id: 'a' } satisfies UnsubscribedMessage` */
export type UnsubscribedMessage = z.infer<typeof S.UnsubscribedMessageSchema>;
/** @see ErrorMessageSchema @example `{ type: 'error', code: 'x', message: 'y' } satisfies ErrorMessage` */
export type ErrorMessage = z.infer<typeof S.ErrorMessageSchema>;
/** @see ResponseMessageSchema @example `{ id: 'r', success: true } satisfies ResponseMessage` */
export type ResponseMessage = z.infer<typeof S.ResponseMessageSchema>;
/** @see AuthMessageSchema @example `{ type: 'auth', token: 't' } satisfies AuthMessage` */
export type AuthMessage = z.infer<typeof S.AuthMessageSchema>;
/** @see SubscribeMessageSchema @example `{ type: 'subscribe', id: 'a', events: [] } satisfies SubscribeMessage` */
export type SubscribeMessage = z.infer<typeof S.SubscribeMessageSchema>;
/** @see UnsubscribeMessageSchema @example `{ type: 'unsubscribe', id: 'a' } satisfies UnsubscribeMessage` */
export type UnsubscribeMessage = z.infer<typeof S.UnsubscribeMessageSchema>;
/** @see AckMessageSchema @example `{ type: 'ack', message_id: 'm' } satisfies AckMessage` */
export type AckMessage = z.infer<typeof S.AckMessageSchema>;
/** @see RequestMessageSchema @example `{ id: 'r', method: 'm' } satisfies RequestMessage` */
export type RequestMessage = z.infer<typeof S.RequestMessageSchema>;
/** Any server-to-client message. @example `function onFrame(m: ServerMessage) {}` */
export type ServerMessage = z.infer<typeof S.ServerMessageSchema>;
/** Any client-to-server message. @example `function send(m: ClientMessage) {}` */
export type ClientMessage = z.infer<typeof S.ClientMessageSchema>;
