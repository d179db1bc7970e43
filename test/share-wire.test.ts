/**
 * The share's channel messages as untrusted input: `readMessage` takes a message of its
 * protocol with the fields of its type in bounds and refuses anything else with a reason;
 * `readHello` tells the protocol a tab of the rendezvous channel speaks. Pure functions, so
 * a table; the browser tests (share-hostile, share-versions) post the same kinds for real.
 */
import { describe, expect, it } from 'vitest';
import { newId, readHello, readMessage, shareNames } from '../src/share/wire.js';

const caps = { version: 2, maxData: 100 };
const hub = newId();
const link = newId();

describe('share channel messages', () => {
  it('ids are 128 random bits in hex, names carry the key and the protocol', () => {
    expect(hub).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(Array.from({ length: 100 }, newId)).size).toBe(100);
    const names = shareNames('wss://x/ws|eventwire', 2);
    expect(names).toMatchObject({
      rendezvous: 'eventwire:share:wss://x/ws|eventwire',
      channel: 'eventwire:share:v2:wss://x/ws|eventwire',
    });
    expect(names.hubLock(hub)).toBe(`eventwire:share:v2:wss://x/ws|eventwire:hub:${hub}`);
  });

  it.each([
    { v: 2, t: 'hub', hub },
    { v: 2, t: 'open', hub, link },
    { v: 2, t: 'bye', hub, link },
    { v: 2, t: 'up', hub, link, data: '{"type":"ping"}' },
    { v: 2, t: 'down', hub, link, data: 'x'.repeat(100) },
    { v: 2, t: 'send', hub, link, n: 1, data: '{}' },
    { v: 2, t: 'opened', hub, link, share: 25 },
    { v: 2, t: 'ack', hub, link, n: 0, share: 1 },
    { v: 2, t: 'full', hub, link, id: 'r-1', n: 0, share: 1 },
    { v: 2, t: 'closed', hub, link, code: 4003, reason: 'refused' },
  ])('takes $t', (message) => {
    expect(readMessage(message, caps)).toBe(message);
  });

  it.each([
    [null, 'not an object'],
    [42, 'not an object'],
    ['hub', 'not an object'],
    [[{ v: 2, t: 'hub', hub }], 'not an object'],
    [{ t: 'hub', hub }, 'a message of protocol (undefined) on the protocol 2 channel'],
    [{ v: 1, t: 'hub', hub }, 'a message of protocol 1 on the protocol 2 channel'],
    [{ v: '2', t: 'hub', hub }, 'a message of protocol (string) on the protocol 2 channel'],
    [{ v: 2, t: 'hub', hub: 'abc' }, 'a bad hub id'],
    [{ v: 2, t: 'hub', hub: hub.toUpperCase() }, 'a bad hub id'],
    [{ v: 2, t: 'open', hub, link: `${link}0` }, 'a bad link id'],
    [{ v: 2, t: 'open', hub }, 'a bad link id'],
    [{ v: 2, t: 'down', hub, link, data: 'x'.repeat(101) }, 'a bad or oversized down frame'],
    [{ v: 2, t: 'up', hub, link, data: { type: 'ping' } }, 'a bad or oversized up frame'],
    [{ v: 2, t: 'send', hub, link, n: 0, data: '{}' }, 'a bad or oversized send'],
    [{ v: 2, t: 'send', hub, link, n: 1.5, data: '{}' }, 'a bad or oversized send'],
    [{ v: 2, t: 'send', hub, link, n: 2 ** 53, data: '{}' }, 'a bad or oversized send'],
    [{ v: 2, t: 'opened', hub, link, share: 1e7 }, 'a bad share'],
    [{ v: 2, t: 'ack', hub, link, n: -1, share: 1 }, 'a bad ack'],
    [{ v: 2, t: 'full', hub, link, id: 'x'.repeat(257), n: 0, share: 1 }, 'a bad refusal'],
    [{ v: 2, t: 'closed', hub, link, code: 999, reason: '' }, 'a bad close'],
    [{ v: 2, t: 'closed', hub, link, code: 5000, reason: '' }, 'a bad close'],
    [{ v: 2, t: 'closed', hub, link, code: 4003, reason: 'x'.repeat(124) }, 'a bad close'],
    [{ v: 2, t: 'frame', hub, link }, 'an unknown type "frame"'],
    [{ v: 2, t: 'x'.repeat(1e6), hub, link }, `an unknown type "${'x'.repeat(20)}"`],
    [{ v: 2, t: { t: 'hub' }, hub, link }, 'an unknown type (object)'],
  ])('refuses %j: %s', (message, reason) => {
    expect(readMessage(message, caps)).toBe(reason);
  });

  it('reads only the fields of the type: a message with 10,000 other keys costs no more', () => {
    const wide: Record<string, unknown> = { v: 2, t: 'hub', hub };
    for (let i = 0; i < 10_000; i++) wide[`k${i}`] = { deep: [i] };
    expect(readMessage(wide, caps)).toBe(wide);
  });

  it.each([
    [
      { eventwire: 'share', v: 2 },
      { v: 2, answer: true },
    ],
    [
      { eventwire: 'share', v: 3, reply: true },
      { v: 3, answer: false },
    ],
    [
      { t: 'open', from: 'k3j5h2l1' },
      { v: 1, answer: false },
    ], // eventwire 0.1's own messages
    [{ eventwire: 'share', v: 0 }, undefined],
    [{ eventwire: 'share', v: '2' }, undefined],
    [{ eventwire: 'share', v: 2, reply: 'yes' }, undefined],
    [{ t: 'open' }, undefined],
    ['hello', undefined],
    [null, undefined],
  ])('hello %j says %j', (message, said) => {
    expect(readHello(message)).toEqual(said);
  });
});
