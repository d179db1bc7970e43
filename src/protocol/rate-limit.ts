/**
 * A server's published limit on what a client sends: at most `messages` messages in any
 * `per` milliseconds. Querri allows 10 a second, the provisioning server 100; their dialects
 * set it by default.
 * @example `createClient({ url, rateLimit: { messages: 10, per: 1000 } })`
 */
export interface RateLimit {
  /** Messages allowed in any window of `per` ms. */
  messages: number;
  /** The window, in ms. */
  per: number;
}
