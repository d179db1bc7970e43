import { guardFor } from './base.js';
import {
  AbortError,
  AuthError,
  ClosedError,
  EncodeError,
  FilterError,
  HandlerError,
  HookError,
  OptionsError,
  QueueFullError,
  ReconnectExhaustedError,
  RequestError,
  ServerError,
  SubscriptionEndedError,
  TimeoutError,
  TokenProviderError,
  ValidationError,
} from './errors.js';

// The guards are `@__PURE__`: a bundler drops those that neither the app nor the package calls.

/** Is this an {@link OptionsError} (from any copy of the package)? Like `err.code === 'ERR_OPTIONS'`. @example `isOptionsError(e)` */
export const isOptionsError = /* @__PURE__ */ guardFor(OptionsError, 'OptionsError');
/** Is this an {@link AuthError} (from any copy of the package)? Like `err.code === 'ERR_AUTH'`. @example `isAuthError(e)` */
export const isAuthError = /* @__PURE__ */ guardFor(AuthError, 'AuthError');
/** Is this a {@link TokenProviderError} (from any copy of the package)? Like `err.code === 'ERR_TOKEN_PROVIDER'`. @example `isTokenProviderError(e)` */
export const isTokenProviderError = /* @__PURE__ */ guardFor(TokenProviderError, 'TokenProviderError');
/** Is this a {@link ReconnectExhaustedError} (from any copy of the package)? Like `err.code === 'ERR_RECONNECT_EXHAUSTED'`. @example `isReconnectExhaustedError(e)` */
export const isReconnectExhaustedError = /* @__PURE__ */ guardFor(ReconnectExhaustedError, 'ReconnectExhaustedError');
/** Is this a {@link ClosedError} (from any copy of the package)? Like `err.code === 'ERR_CLOSED'`. @example `isClosedError(e)` */
export const isClosedError = /* @__PURE__ */ guardFor(ClosedError, 'ClosedError');
/** Is this a {@link TimeoutError} (from any copy of the package)? Like `err.code === 'ERR_TIMEOUT'`. @example `isTimeoutError(e)` */
export const isTimeoutError = /* @__PURE__ */ guardFor(TimeoutError, 'TimeoutError');
/** Is this a {@link ValidationError} (from any copy of the package)? Like `err.code === 'ERR_VALIDATION'`. @example `isValidationError(e)` */
export const isValidationError = /* @__PURE__ */ guardFor(ValidationError, 'ValidationError');
/** Is this a {@link HandlerError} (from any copy of the package)? Like `err.code === 'ERR_HANDLER'`. @example `isHandlerError(e)` */
export const isHandlerError = /* @__PURE__ */ guardFor(HandlerError, 'HandlerError');
/** Is this a {@link FilterError} (from any copy of the package)? Like `err.code === 'ERR_FILTER'`. @example `isFilterError(e)` */
export const isFilterError = /* @__PURE__ */ guardFor(FilterError, 'FilterError');
/** Is this a {@link RequestError} (from any copy of the package)? Like `err.code === 'ERR_REQUEST'`. @example `isRequestError(e)` */
export const isRequestError = /* @__PURE__ */ guardFor(RequestError, 'RequestError');
/** Is this an {@link AbortError} (from any copy of the package)? Like `err.code === 'ERR_ABORTED'`. @example `isAbortError(e)` */
export const isAbortError = /* @__PURE__ */ guardFor(AbortError, 'AbortError');
/** Is this an {@link EncodeError} (from any copy of the package)? Like `err.code === 'ERR_ENCODE'`. @example `isEncodeError(e)` */
export const isEncodeError = /* @__PURE__ */ guardFor(EncodeError, 'EncodeError');
/** Is this a {@link QueueFullError} (from any copy of the package)? Like `err.code === 'ERR_QUEUE_FULL'`. @example `isQueueFullError(e)` */
export const isQueueFullError = /* @__PURE__ */ guardFor(QueueFullError, 'QueueFullError');
/** Is this a {@link ServerError} (from any copy of the package)? Like `err.code === 'ERR_SERVER'`. @example `isServerError(e)` */
export const isServerError = /* @__PURE__ */ guardFor(ServerError, 'ServerError');
/** Is this a {@link HookError} (from any copy of the package)? Like `err.code === 'ERR_HOOK'`. @example `isHookError(e)` */
export const isHookError = /* @__PURE__ */ guardFor(HookError, 'HookError');
/** Is this a {@link SubscriptionEndedError} (from any copy of the package)? Like `err.code === 'ERR_SUBSCRIPTION_ENDED'`. @example `isSubscriptionEndedError(e)` */
export const isSubscriptionEndedError = /* @__PURE__ */ guardFor(SubscriptionEndedError, 'SubscriptionEndedError');
