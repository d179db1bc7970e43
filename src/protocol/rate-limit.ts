/**
 * A server's published limit on what a client sends: at most `messages` frames in any `per`
 * milliseconds. Every frame the client writes counts (a call that writes several spends one
 * token each; pings and the answers to the server's pings too), timed on a monotonic clock.
 * Querri allows 10 a second, the provisioning server 100; their dialects set it by default.
 * @example `createClient({ url, rateLimit: { messages: 10, per: 1000 } })`
 */
export interface RateLimit {
  /** Frames allowed in any window of `per` ms (an integer >= 1). */
  messages: number;
  /** The window, in ms. */
  per: number;
}
