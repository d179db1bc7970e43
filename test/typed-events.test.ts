import { describe, expect, expectTypeOf, it } from 'vitest';
import * as z from 'zod/mini';
import {
  type Client,
  createClient,
  type EventwireEvent,
  isHandlerError,
  isValidationError,
  type LifecycleEvents,
} from '../src/index.js';
import { track } from './cleanup.js';
import { startServer } from './fixtures/server.js';
import { eventually, next, nextEvent, reach } from './helpers.js';

const events = {
  TaskStatusChanged: z.object({ task_id: z.string(), status: z.enum(['Pending', 'Running', 'Failed', 'Done']) }),
  MetricUpdate: z.object({ name: z.string(), value: z.number() }),
};

describe('typed events (Standard Schema)', () => {
  it('types handlers from the schemas (compile-time)', () => {
    const client = createClient({ url: 'ws://127.0.0.1:1', events, lazy: true, signals: false });
    expectTypeOf(client).toEqualTypeOf<Client<typeof events>>();
    client.on('TaskStatusChanged', (ev) => {
      expectTypeOf(ev.data.status).toEqualTypeOf<'Pending' | 'Running' | 'Failed' | 'Done'>();
      expectTypeOf(ev.event_type).toEqualTypeOf<'TaskStatusChanged'>();
    });
    client.on('MetricUpdate', (ev) => expectTypeOf(ev.data.value).toBeNumber());
    client.on('state', ({ from, to }) => {
      expectTypeOf(from).toEqualTypeOf<'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'>();
      expectTypeOf(to).toEqualTypeOf(from);
    });
    client.on('message', (ev) => expectTypeOf(ev).toEqualTypeOf<EventwireEvent>());
    // @ts-expect-error: not an event of this client
    client.on('NoSuchEvent', () => {});
    // @ts-expect-error: data is typed, `progress` does not exist on TaskStatusChanged
    client.on('TaskStatusChanged', (ev) => ev.data.progress);
    // @ts-expect-error: lifecycle payloads are typed too
    client.on('reconnecting', (r) => r.nope);
    expectTypeOf(client.on('open', () => {})).toEqualTypeOf<() => void>();
    client.close();
  });

  it('without schemas, any name is allowed and data is unknown', () => {
    const client = createClient({ url: 'ws://127.0.0.1:1', lazy: true, signals: false });
    client.on('Anything', (ev) => {
      expectTypeOf(ev.data).toBeUnknown();
      expectTypeOf(ev.event_type).toEqualTypeOf<'Anything'>();
    });
    client.close();
  });

  it('a subscription to several names narrows on event_type (compile-time)', () => {
    const client = createClient({ url: 'ws://127.0.0.1:1', events, lazy: true, signals: false });
    const sub = client.subscribe(['TaskStatusChanged', 'MetricUpdate']);
    sub.on((ev) => {
      // @ts-expect-error: before narrowing, data is either schema's
      ev.data.status;
      if (ev.event_type === 'TaskStatusChanged')
        expectTypeOf(ev.data.status).toEqualTypeOf<'Pending' | 'Running' | 'Failed' | 'Done'>();
      else expectTypeOf(ev.data.value).toBeNumber();
    });
    client.close();
  });

  it('ack() and nack() exist on events that can be acked, and only there (compile-time)', () => {
    const manual = createClient({ url: 'ws://127.0.0.1:1', events, acks: 'manual', lazy: true, signals: false });
    manual.on('TaskStatusChanged', (ev) => {
      ev.ack?.(); // the README recipe's form
      // @ts-expect-error: an event may not ask for an ack: narrow on requires_ack first
      ev.ack();
      if (ev.requires_ack) {
        expectTypeOf(ev.ack).toEqualTypeOf<() => void>();
        expectTypeOf(ev.nack).toEqualTypeOf<() => void>();
        expectTypeOf(ev.message_id).toBeString();
      }
    });
    const auto = createClient({ url: 'ws://127.0.0.1:1', events, lazy: true, signals: false });
    auto.on('TaskStatusChanged', (ev) => {
      // @ts-expect-error: with acks: 'auto' the client acks; events carry no ack()
      ev.ack;
    });
    manual.close();
    auto.close();
  });

  it('filter keys are typed from the data of the events subscribed to (compile-time)', () => {
    const nested = {
      ...events,
      Deploy: z.object({
        target: z.nullable(z.object({ host: z.string() })),
        tags: z.array(z.string()),
        raw: z.unknown(),
      }),
    };
    const client = createClient({ url: 'ws://127.0.0.1:1', events: nested, lazy: true, signals: false });
    const subs = [
      client.subscribe('TaskStatusChanged', { filters: { status: ['Running', 'Failed'], task_id: 't1' } }),
      client.subscribe('TaskStatusChanged', { filters: { 'metadata.region': 'eu', since: 1200 } }),
      client.subscribe(['TaskStatusChanged', 'MetricUpdate'], { filters: { status: 'Failed', name: 'cpu' } }),
      client.subscribe('Deploy', { filters: { 'target.host': 'db-01', 'tags.0': 'prod', 'raw.any.path': 1 } }),
      client.stream('MetricUpdate', { filters: { value: 1 } }),
      // @ts-expect-error: a misspelled key is a compile error
      client.subscribe('TaskStatusChanged', { filters: { statsu: 'Failed' } }),
      // @ts-expect-error: keys are paths into data, not into the event
      client.subscribe('TaskStatusChanged', { filters: { 'data.status': 'Failed' } }),
      // @ts-expect-error: a key of another event's data
      client.subscribe('TaskStatusChanged', { filters: { value: 1 } }),
      // @ts-expect-error: nested paths are typed too
      client.subscribe('Deploy', { filters: { 'target.hots': 'db-01' } }),
      // @ts-expect-error: a scalar field has no sub-path
      client.stream('MetricUpdate', { filters: { 'name.first': 'x' } }),
    ];
    expect(subs).toHaveLength(10);
    // @ts-expect-error: unknown subscribe options are compile errors as well as OptionsErrors
    expect(() => client.subscribe('MetricUpdate', { filter: { value: 1 } })).toThrow(/did you mean filters/);
    const manual = createClient({ url: 'ws://127.0.0.1:1', events, acks: 'manual', lazy: true, signals: false });
    manual.subscribe('TaskStatusChanged', { filters: { status: 'Failed' } });
    // @ts-expect-error: the same keys whatever the ack mode
    manual.subscribe('TaskStatusChanged', { filters: { stauts: 'Failed' } });
    const untyped = createClient({ url: 'ws://127.0.0.1:1', lazy: true, signals: false });
    untyped.subscribe('Anything', { filters: { 'any.path': 1, 'data.level': 'x' } }); // no schema: any key
    for (const c of [client, manual, untyped]) c.close();
  });

  it('options.on is typed for lifecycle and schema events', () => {
    const client = createClient({
      url: 'ws://127.0.0.1:1',
      events,
      lazy: true,
      signals: false,
      on: {
        MetricUpdate: (ev) => expectTypeOf(ev.data.name).toBeString(),
        error: (e) => expectTypeOf(e.code).toBeString(),
      },
    });
    client.close();
  });

  it('options.on without schemas takes a server event, as the client delivers it (it failed to compile)', async () => {
    const server = track(await startServer());
    const seen: EventwireEvent[] = [];
    const client = track(
      createClient({
        url: server.url,
        signals: false,
        on: {
          TaskStatusChanged: (ev: EventwireEvent) => void seen.push(ev),
          open: (info) => expectTypeOf(info).toEqualTypeOf<LifecycleEvents['open']>(),
        },
      }),
    );
    // @ts-expect-error: a lifecycle listener keeps its payload's type
    createClient({ url: server.url, lazy: true, on: { close: (info: { nothing: true }) => info } }).close();
    // @ts-expect-error: socket.io's name, refused at run time too (an OptionsError: eventwire's is 'open')
    expect(() => createClient({ url: server.url, lazy: true, on: { connect: () => {} } })).toThrow(/use "open"|"open"/);
    await reach(client, 'open');
    server.publish({ event_type: 'TaskStatusChanged', data: { task_id: 't1', status: 'Running' } });
    await eventually(() => seen.length === 1);
    expect(seen[0]?.data).toEqual({ task_id: 't1', status: 'Running' });
  });

  it('delivers valid events with parsed data and rejects invalid ones with a ValidationError', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, events, signals: false }));
    await reach(client, 'open');
    const seen: unknown[] = [];
    client.on('TaskStatusChanged', (ev) => void seen.push(ev.data));
    const error = next(client, 'error');
    server.publish({ event_type: 'TaskStatusChanged', data: { task_id: 't1', status: 'Exploded' } });
    const err = await error;
    expect(isValidationError(err)).toBe(true);
    if (!isValidationError(err)) return;
    expect(err.eventType).toBe('TaskStatusChanged');
    expect(err.issues[0]?.path).toEqual(['status']);
    expect(err.seq).toBe(1);
    expect(err.message).toBe('event TaskStatusChanged (seq 1) failed its schema: status: Invalid input (got a string)');
    const typeError = next(client, 'error');
    server.publish({ event_type: 'TaskStatusChanged', data: { task_id: 7, status: 'Running' } });
    expect((await typeError).message).toBe(
      'event TaskStatusChanged (seq 2) failed its schema: task_id: Invalid input (expected string, got a number)',
    );
    const missing = next(client, 'error');
    server.publish({ event_type: 'TaskStatusChanged', data: { status: 'Running' } });
    expect((await missing).message).toBe(
      'event TaskStatusChanged (seq 3) failed its schema: task_id: Invalid input (expected string, got nothing)',
    );
    const good = nextEvent(client, 'TaskStatusChanged');
    server.publish({ event_type: 'TaskStatusChanged', data: { task_id: 't1', status: 'Running' } });
    await good;
    expect(seen).toEqual([{ task_id: 't1', status: 'Running' }]); // the invalid one never reached a handler
  });

  it('an asynchronous schema, or one that throws, refuses the event with a ValidationError that says so (and no data type)', async () => {
    const server = track(await startServer());
    let broken = false;
    const validate = (value: unknown) => {
      if (broken) throw new Error('broken');
      return Promise.resolve({ value });
    };
    const slow = { '~standard': { version: 1 as const, vendor: 'test', validate } };
    const client = track(createClient({ url: server.url, events: { Slow: slow }, signals: false }));
    await reach(client, 'open');
    const seen: unknown[] = [];
    client.on('Slow', (ev) => void seen.push(ev.data));
    const error = next(client, 'error');
    server.publish({ event_type: 'Slow', data: { a: 1 } });
    const err = await error;
    expect(isValidationError(err) && err.eventType).toBe('Slow');
    expect(err.message).toBe(
      'event Slow (seq 1) failed its schema: async schemas are not supported; use a synchronous one',
    );
    const thrown = next(client, 'error');
    broken = true;
    server.publish({ event_type: 'Slow', data: { a: 2 } });
    expect((await thrown).message).toBe('event Slow (seq 2) failed its schema: the schema threw: Error: broken');
    expect(seen).toEqual([]);
  });

  it('a throwing or rejecting handler surfaces as HandlerError and stops nothing else', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    await reach(client, 'open');
    const errors: unknown[] = [];
    client.on('error', (e) => void errors.push(e));
    client.on('Tick', () => {
      throw new Error('boom');
    });
    client.on('Tick', async () => {
      throw new Error('async boom');
    });
    const got: number[] = [];
    client.on('Tick', (ev) => void got.push(ev.seq ?? -1));
    const second = new Promise<void>((resolve) => client.on('Tick', (ev) => ev.seq === 2 && resolve()));
    server.publish({ event_type: 'Tick' });
    server.publish({ event_type: 'Tick' });
    await second;
    await new Promise((r) => setImmediate(r)); // let the async handler's rejection land
    expect(got).toEqual([1, 2]);
    expect(errors.filter(isHandlerError)).toHaveLength(4);
    expect(client.state).toBe('open');
  });
});
