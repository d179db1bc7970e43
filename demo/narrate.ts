/**
 * What the demo's terminal client says: one line per event, and for the link the lines a
 * person watching needs: why it dropped, when the next try is, where it resumed and what
 * was missed (`resumed after #237, 0 missed`), and a status line that keeps the
 * dashboard's address on screen.
 */
import type { Client, EventwireError, EventwireEvent, Subscription } from '../src/index.js';

/** What a close code means, in the words of protocol v1 (PROTOCOL.md's close codes). */
const CLOSE_CODES: Record<number, string> = {
  1000: 'normal closure',
  1001: 'server going away',
  1006: 'no close frame',
  1009: 'message too big',
  1011: 'server error',
  1012: 'server restart',
  4001: 'token expired',
  4003: 'forbidden',
};

export interface NarratorOptions {
  /** Where lines go. */
  print: (line: string) => void;
  /** The dashboard's address, repeated in status lines. */
  dashboardUrl: string;
  /** Colours (a terminal that wants them). @default false */
  color?: boolean;
}

const paint = (on: boolean, code: string, text: string) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);

/** Server text as a terminal may show it: control characters (escape sequences) as `?`, at most `max` characters. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
function printable(text: string, max = 300): string {
  const cut = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return cut.replace(CONTROL, '?');
}

/**
 * Narrates `client` and its subscription to every event. `serverRestarting()` notes that the
 * demo itself is restarting its server, so the drop that follows is said to be that.
 */
export function narrate(client: Client, all: Subscription, { print, dashboardUrl, color = false }: NarratorOptions) {
  let events = 0;
  let missed = 0;
  let opens = 0;
  let restartDue = false;
  let dropped: { why: string; fromOpen: boolean } | undefined;
  let cursorAtDrop: number | undefined;
  let gapNow: { from?: number; to?: number } | undefined;
  const say = (text: string, tone = '36') => print(paint(color, tone, text));

  client.on('state', ({ to }) => {
    if (to === 'open' && opens++ === 0) say(`[client] connected (session ${client.sessionId ?? '–'})`);
  });
  // A failed attempt reports its error, then closes: one line says both (the error's words).
  let attemptError: EventwireError | undefined;
  client.on('error', (e) => {
    attemptError = e;
    queueMicrotask(() => {
      if (attemptError === e) say(`[client] error ${e.code}: ${printable(e.message)}`, '31');
      if (attemptError === e) attemptError = undefined;
    });
  });
  client.on('close', ({ code, reason, willReconnect }) => {
    // emitted before the state leaves `open`: the state says whether a link or an attempt ended
    const why = printable(attemptError ? attemptError.message : describe(code, reason));
    dropped = { why, fromOpen: client.state === 'open' };
    attemptError = undefined;
    if (dropped.fromOpen) cursorAtDrop = all.cursor;
    if (!willReconnect) say(`[client] closed (${why})`);
  });
  client.on('reconnecting', ({ attempt, delay }) => {
    const why = dropped?.why ?? 'unknown';
    const wait = `${Math.round(delay)} ms`;
    if (dropped?.fromOpen) {
      const cause = restartDue ? ', the demo restarted its server' : '';
      say(`[client] link dropped (${why}${cause}), reconnecting in ${wait}`, '33');
      restartDue = false;
    } else say(`[client] reconnect failed (${why}), attempt ${attempt} in ${wait}`, '33');
  });

  /** The status line: the dashboard's address, the link, and what arrived. */
  const status = () =>
    say(
      `[demo] dashboard ${dashboardUrl} · link ${client.state} · ${events} events, ${missed} missed · Ctrl-C stops`,
      '1',
    );

  all.on('gap', (gap) => {
    gapNow = gap;
  });
  all.on('state', ({ to }) => {
    if (to !== 'active' || cursorAtDrop === undefined) return;
    const lost = gapNow ? count(gapNow) : 0;
    if (typeof lost === 'number') missed += lost;
    const what = gapNow?.from !== undefined ? ` (#${gapNow.from}–#${gapNow.to}: past the server's replay buffer)` : '';
    say(`[client] resumed after #${cursorAtDrop}, ${lost} missed${what}`, '32');
    cursorAtDrop = undefined;
    gapNow = undefined;
    status();
  });
  all.on((ev: EventwireEvent) => {
    events++;
    // JSON escapes control characters in the data; the name is the server's too
    print(
      `#${String(ev.seq).padStart(5)} ${printable(ev.event_type, 60).padEnd(22)} ${printable(JSON.stringify(ev.data))}`,
    );
  });

  return {
    /** The demo is about to restart its server: the next drop is that. */
    serverRestarting(downtimeSeconds: number) {
      restartDue = true;
      say(`[server] restarting (down for ${downtimeSeconds} s)`, '33');
    },
    status,
  };
}

/** `1006 no close frame`, `1001 restart`: the code, and its reason or its meaning. */
function describe(code: number, reason: string): string {
  const meaning = reason || CLOSE_CODES[code] || 'closed';
  return code ? `${code} ${meaning}` : meaning;
}

/** Events in a gap: a count when the server said which seqs, otherwise "some". */
function count(gap: { from?: number; to?: number }): number | string {
  return gap.from !== undefined && gap.to !== undefined ? gap.to - gap.from + 1 : 'some';
}
