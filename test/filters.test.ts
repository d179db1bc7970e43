import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as z from 'zod';
import * as zm from 'zod/mini';
import { createClient, FilterError, type StandardSchemaV1 } from '../src/index.js';
import { compileFilters, parseFilters } from '../src/protocol/filters.js';
import { FiltersSchema } from '../src/protocol/filters-schema.js';
import { closest } from '../src/protocol/suggest.js';
import { track } from './cleanup.js';
import { startServer } from './fixtures/server.js';

const ev = (data: unknown, extra: Record<string, unknown> = {}) => ({
  timestamp: '2026-11-22T10:00:00.000Z',
  seq: 10,
  data,
  metadata: { region: 'eu', tier: { name: 'gold' } },
  ...extra,
});

describe('filter language', () => {
  it('scalar equality, one-of arrays, dot paths, metadata paths', () => {
    const match = compileFilters(
      parseFilters({ status: ['Running', 'Failed'], 'task.host': 'db-01', 'metadata.tier.name': 'gold' }),
    );
    expect(match(ev({ status: 'Failed', task: { host: 'db-01' } }))).toBe(true);
    expect(match(ev({ status: 'Done', task: { host: 'db-01' } }))).toBe(false);
    expect(match(ev({ status: 'Failed', task: { host: 'web-02' } }))).toBe(false);
    expect(match(ev({ status: 'Failed' }))).toBe(false); // a missing path matches nothing
    expect(match(ev({ status: 'Failed', task: { host: 'db-01' } }, { metadata: { tier: { name: 'free' } } }))).toBe(
      false,
    );
  });

  it('equality is strict: 1 is not "1", null matches only null', () => {
    expect(compileFilters({ n: 1 })(ev({ n: '1' }))).toBe(false);
    expect(compileFilters({ n: null })(ev({ n: null }))).toBe(true);
    expect(compileFilters({ n: null })(ev({}))).toBe(false);
  });

  it('since bounds the timestamp (ISO) or the seq (number), inclusively', () => {
    expect(compileFilters({ since: '2026-11-22T10:00:00Z' })(ev({}))).toBe(true);
    expect(compileFilters({ since: '2026-11-22T10:00:01Z' })(ev({}))).toBe(false);
    expect(compileFilters({ since: 10 })(ev({}))).toBe(true);
    expect(compileFilters({ since: 11 })(ev({}))).toBe(false);
  });

  it('reads own properties only: no prototype is reachable', () => {
    expect(compileFilters({ 'a.toString': 'x' })(ev({ a: {} }))).toBe(false);
    expect(compileFilters({ hasOwnProperty: 'x' })(ev({}))).toBe(false);
  });

  it('every compiled shape agrees: one field, a deep path, metadata, a few choices or many', () => {
    const many = Array.from({ length: 20 }, (_, i) => `s${i}`);
    const cases: Array<[Record<string, unknown>, unknown, Record<string, unknown>, boolean]> = [
      [{ status: 'Done' }, { status: 'Done' }, {}, true],
      [{ status: ['Done', 0, false, null] }, { status: null }, {}, true],
      [{ status: ['Done', 0, false, null] }, { status: undefined }, {}, false],
      [{ n: [0] }, { n: -0 }, {}, true], // as a Set compares
      [{ status: many }, { status: 's19' }, {}, true],
      [{ status: many }, { status: 's20' }, {}, false],
      [{ 'a.b.c': 1 }, { a: { b: { c: 1 } } }, {}, true],
      [{ 'a.b.c': 1 }, { a: { b: 'c' } }, {}, false],
      [{ 'metadata.region': ['eu', 'us'] }, {}, { metadata: { region: 'us' } }, true],
      [{ 'metadata.region': 'eu' }, {}, { metadata: null }, false],
      [{ status: 'Done' }, null, {}, false],
      [{ status: 'Done' }, 'Done', {}, false],
    ];
    for (const [filters, data, extra, expected] of cases)
      expect(compileFilters(parseFilters(filters))(ev(data, extra)), JSON.stringify([filters, data])).toBe(expected);
  });

  it('a polluted Object.prototype is not read either, at any depth', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 'x';
    try {
      expect(compileFilters({ polluted: 'x' })(ev({}))).toBe(false);
      expect(compileFilters({ polluted: ['x', 'y'] })(ev({}))).toBe(false);
      expect(compileFilters({ 'a.polluted': 'x' })(ev({ a: {} }))).toBe(false);
      expect(compileFilters({ 'metadata.polluted': 'x' })(ev({}))).toBe(false);
    } finally {
      delete proto.polluted;
    }
  });

  it('an empty filter matches everything', () => {
    expect(compileFilters(parseFilters(undefined))(ev(null))).toBe(true);
  });

  it('an empty list is a FilterError at subscribe(), for the client and the zod schema (it matched nothing)', () => {
    const message = 'filter key "level": [] matches nothing: omit the key';
    expect(refusal('LogEntry', { level: [] })).toBe(message);
    expect(refusal('*', { level: ['ERROR'], 'metadata.region': [] })).toBe(
      'filter key "metadata.region": [] matches nothing: omit the key',
    );
    expect(FiltersSchema.safeParse({ level: [] }).success).toBe(false);
    expect(refusal('LogEntry', { level: ['ERROR'] })).toBeUndefined();
  });

  it('the reference server refuses a subscribe with an empty list, as every malformed client message', async () => {
    const server = track(await startServer());
    const ws = new WebSocket(server.url, 'eventwire.v1');
    const answers: unknown[] = [];
    const refused = new Promise<void>((resolve) =>
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string };
        answers.push(message);
        if (message.type === 'error' || message.type === 'subscribed') resolve();
      }),
    );
    ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', id: 's1', events: ['x'], filters: { a: [] } })));
    await refused;
    ws.close();
    expect(answers.at(-1)).toEqual({ type: 'error', code: 'bad_message', message: 'not a protocol v1 client message' });
  });

  it('parseFilters and the zod schema agree on every input', () => {
    const value = fc.oneof(
      fc.string(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.object(),
    );
    const key = fc.oneof(fc.string(), fc.constantFrom('__proto__', 'a.constructor', 'since', 'a..b', 'metadata.x'));
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 4 }), (filters) => {
        let accepted = true;
        try {
          parseFilters(filters);
        } catch {
          accepted = false;
        }
        const schemaAccepts = FiltersSchema.safeParse(filters).success;
        // parseFilters is the schema plus an own-key check (a literal __proto__ key is invisible to the schema)
        if (accepted) expect(schemaAccepts).toBe(true);
        if (schemaAccepts && !Object.keys(filters).some((k) => k.split('.').includes('__proto__')))
          expect(accepted).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});

/** zod 4's `zod` (not `zod/mini`) gives its JSON Schema through Standard JSON Schema (`~standard.jsonSchema`). */
const events = {
  LogEntry: z.object({ level: z.string(), message: z.string() }),
  TaskStatusChanged: z.object({
    task_id: z.string(),
    status: z.string(),
    task: z.object({ host: z.string(), port: z.number() }).nullable(),
    tags: z.array(z.string()),
    extra: z.unknown(),
    counts: z.record(z.string(), z.number()),
  }),
  Loose: z.looseObject({ a: z.string() }),
  Transformed: z.object({ at: z.string() }).transform((d) => ({ ...d, when: Date.parse(d.at) })),
  Text: z.string(),
  Mini: zm.object({ level: zm.string() }),
} satisfies Record<string, StandardSchemaV1>;

/** The message of the FilterError that `subscribe()` throws, or undefined when it accepts the filters. */
function refusal(names: string | string[], filters: Record<string, unknown>): string | undefined {
  const client = track(createClient({ url: 'ws://127.0.0.1:1', events, lazy: true, signals: false }));
  const untyped = client as unknown as { subscribe(n: unknown, o: unknown): { unsubscribe(): void } };
  try {
    untyped.subscribe(names, { filters }).unsubscribe();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(FilterError);
    expect(client.stats().subscriptions).toBe(0); // refused before anything was held or sent
    return (error as Error).message;
  }
}

const RULE = ': a key is a path into data, metadata.… or since';

describe('filter keys are checked against the schema at subscribe()', () => {
  it('a key that is not a field of the data is a FilterError naming it and the nearest field', () => {
    expect(refusal('LogEntry', { levle: 'ERROR' })).toBe(
      `filter key "levle" is not in the data of LogEntry (did you mean "level"?)${RULE}`,
    );
    expect(refusal('LogEntry', { severity: 'ERROR' })).toBe(
      `filter key "severity" is not in the data of LogEntry${RULE}`,
    );
    expect(refusal('TaskStatusChanged', { 'task.hots': 'db-01' })).toBe(
      `filter key "task.hots" is not in the data of TaskStatusChanged (did you mean "task.host"?)${RULE}`,
    );
    expect(refusal('TaskStatusChanged', { 'status.code': 1 })).toBe(
      `filter key "status.code" is not in the data of TaskStatusChanged${RULE}`, // a string has no fields
    );
  });

  it('"data.level" (the event\'s path, not data\'s) is refused with the key it meant', () => {
    expect(refusal('LogEntry', { 'data.level': 'ERROR' })).toBe(
      `filter key "data.level" is not in the data of LogEntry (did you mean "level"?)${RULE}`,
    );
  });

  it('accepts fields, nested fields, metadata.… and since', () => {
    expect(refusal('LogEntry', { level: 'ERROR', 'metadata.region': 'eu', since: 5 })).toBeUndefined();
    expect(
      refusal('TaskStatusChanged', { 'task.host': 'db-01', 'task.port': 5432, status: ['Failed'] }),
    ).toBeUndefined();
  });

  it('several names: a key must be a field of one of them; the message names them all', () => {
    expect(refusal(['LogEntry', 'TaskStatusChanged'], { level: 'ERROR', status: 'Failed' })).toBeUndefined();
    expect(refusal(['LogEntry', 'TaskStatusChanged'], { stat: 'x' })).toBe(
      `filter key "stat" is not in the data of LogEntry or TaskStatusChanged (did you mean "status"?)${RULE}`,
    );
  });

  it('a data that is not an object has no keys', () => {
    expect(refusal('Text', { level: 'x' })).toBe(`filter key "level" is not in the data of Text${RULE}`);
  });

  it('leaves unchecked what the schema leaves open: arrays, unknown fields, records, loose objects', () => {
    for (const key of ['tags.0', 'extra.anything', 'counts.errors'])
      expect(refusal('TaskStatusChanged', { [key]: 1 })).toBeUndefined();
    expect(refusal('Loose', { b: 1 })).toBeUndefined();
  });

  it('leaves unchecked what it cannot know: no JSON Schema (zod/mini, a transform), a name without a schema, all events', () => {
    expect(refusal('Mini', { levle: 'ERROR' })).toBeUndefined(); // typed clients catch it at compile time
    expect(refusal('Transformed', { whenn: 1 })).toBeUndefined();
    expect(refusal(['LogEntry', 'Unschemed'], { levle: 'ERROR' })).toBeUndefined();
    expect(refusal([], { levle: 'ERROR' })).toBeUndefined();
    expect(refusal('*', { levle: 'ERROR' })).toBeUndefined();
  });

  it('a schema whose JSON Schema converter throws is unchecked, not a crash', () => {
    const throwing = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: (value: unknown) => ({ value }),
        jsonSchema: {
          output: () => {
            throw new Error('not representable');
          },
        },
      },
    } as StandardSchemaV1;
    const client = track(
      createClient({ url: 'ws://127.0.0.1:1', events: { X: throwing }, lazy: true, signals: false }),
    );
    expect(client.subscribe('X', { filters: { anything: 1 } }).filters).toEqual({ anything: 1 });
  });
});

describe('closest: the "did you mean" of every refusal', () => {
  it('suggests within 2 edits and half the word, case ignored, and nothing else', () => {
    expect(closest('tokn', ['token', 'auth'])).toBe('token');
    expect(closest('levle', ['level', 'message'])).toBe('level');
    expect(closest('maxbatchsize', ['maxBatchSize'])).toBe('maxBatchSize');
    expect(closest('id', ['on'])).toBeUndefined(); // 2 edits of a 2-letter word is not a near miss
    expect(closest('colour', ['url', 'token'])).toBeUndefined();
    expect(closest('x'.repeat(100_000), ['x'])).toBeUndefined(); // a long word costs nothing
  });
});
