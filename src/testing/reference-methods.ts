/**
 * The reference server's request answering: `{id, method, params}` runs a method once per
 * request id (a repeated id gets the cached answer, as an idempotent server would give it).
 */

/** At most this many answers are kept for repeated request ids. */
const MAX_CACHED = 10_000;

/** A method the reference server answers: its result is the response's `result`; a throw is `method_failed`. */
export type ReferenceMethod = (params: unknown) => unknown;

/**
 * The response frame to request `id`, computed once (the method runs and `calls` counts it)
 * and cached in `responses`, oldest dropped past {@link MAX_CACHED}.
 */
export function answerRequest(
  responses: Map<string, string>,
  calls: Map<string, number>,
  methods: Record<string, ReferenceMethod> | undefined,
  id: string,
  method: string,
  params: unknown,
): string {
  const cached = responses.get(id);
  if (cached !== undefined) return cached;
  const fn = methods?.[method] ?? (method === 'echo' ? (p: unknown) => p : undefined);
  let reply: object;
  if (!fn) reply = { id, success: false, error: { code: 'unknown_method', message: `no method ${method}` } };
  else {
    calls.set(method, (calls.get(method) ?? 0) + 1);
    try {
      reply = { id, success: true, result: fn(params) };
    } catch (e) {
      reply = { id, success: false, error: { code: 'method_failed', message: (e as Error).message } };
    }
  }
  const frame = JSON.stringify(reply);
  responses.set(id, frame);
  if (responses.size > MAX_CACHED) responses.delete(responses.keys().next().value as string);
  return frame;
}
