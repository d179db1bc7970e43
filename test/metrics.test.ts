/**
 * The operators' figures in `stats()`: the counting and its windows as pure timing logic (an
 * injected time), then on real links to the reference server, then README's OpenTelemetry
 * recipe run as written against the SDK's `MeterProvider`.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../src/core/util/metrics.js';
import { createClient, type EventwireError } from '../src/index.js';
import { track } from './cleanup.js';
import { blocksOf } from './fixtures/markdown.js';
import { startServer } from './fixtures/server.js';
import { next, reach } from './helpers.js';

/** Metrics on a time moved by hand. */
function timed() {
  const clock = { t: 1_000_000 };
  return { clock, metrics: new Metrics(() => clock.t) };
}

describe('Metrics (injected time)', () => {
  it('connection time: the current connection, and all of them together', () => {
    const { clock, metrics: m } = timed();
    expect(m.read(0).connectedForMs).toBe(0);
    m.lifecycle('state', { from: 'connecting', to: 'open' });
    clock.t += 3_000;
    m.lifecycle('state', { from: 'open', to: 'reconnecting' });
    clock.t += 1_000;
    expect(m.read(0)).toMatchObject({ connectedForMs: 0, connectedMs: 3_000 });
    m.lifecycle('state', { from: 'connecting', to: 'open' });
    clock.t += 2_000;
    expect(m.read(0)).toMatchObject({ connectedForMs: 2_000, connectedMs: 5_000 });
  });

  it('reconnects count each one; reconnectsPerMinute only those of the last 60 s', () => {
    const { clock, metrics: m } = timed();
    for (let i = 0; i < 3; i++) {
      m.lifecycle('reconnecting', { attempt: i + 1, delay: 500 });
      clock.t += 1_000;
    }
    clock.t += 50_000; // 53 s after the first
    expect(m.read(0)).toMatchObject({ reconnects: 3, reconnectsPerMinute: 3 });
    m.lifecycle('reconnecting', { attempt: 1, delay: 500 });
    clock.t += 8_000; // 61 s after the first, 59 s after the third
    expect(m.read(0)).toMatchObject({ reconnects: 4, reconnectsPerMinute: 2 });
    clock.t += 120_000;
    expect(m.read(0)).toMatchObject({ reconnects: 4, reconnectsPerMinute: 0 });
  });

  it('per second over the last 10 s when stats() is read every second, whatever came before', () => {
    const { clock, metrics: m } = timed();
    let sent = 0;
    let last = m.read(sent);
    for (let s = 1; s <= 40; s++) {
      clock.t += 1_000;
      const fast = s > 20;
      m.received += fast ? 50 : 10;
      sent += fast ? 5 : 1;
      last = m.read(sent);
      // the first 10 s: since the client was made
      if (s <= 10) expect(last.messagesInPerSecond).toBeCloseTo(10, 6);
    }
    expect(last.messagesInPerSecond).toBeCloseTo(50, 6);
    expect(last.messagesOutPerSecond).toBeCloseTo(5, 6);
    expect(last).toMatchObject({ messagesIn: 20 * 10 + 20 * 50, messagesOut: 20 + 20 * 5 });
  });

  it('read every 100 ms, it keeps one sample a second, and the window stays 10 to 11 s', () => {
    const { clock, metrics: m } = timed();
    let rate = 0;
    for (let i = 1; i <= 300; i++) {
      clock.t += 100;
      m.received += i > 150 ? 3 : 1; // 10/s for 15 s, then 30/s
      rate = m.read(0).messagesInPerSecond;
    }
    expect(rate).toBeCloseTo(30, 6);
  });

  it('read every 30 s, the rate is since the previous read', () => {
    const { clock, metrics: m } = timed();
    m.read(0);
    clock.t += 30_000;
    m.received = 300; // 10/s
    expect(m.read(30).messagesInPerSecond).toBeCloseTo(10, 6);
    clock.t += 30_000;
    m.received = 300 + 60; // 2/s
    const s = m.read(30);
    expect(s.messagesInPerSecond).toBeCloseTo(2, 6);
    expect(s.messagesOutPerSecond).toBe(0);
  });

  it('errorsByCode counts by code, bounded: past 31 codes they count as "other"', () => {
    const { metrics: m } = timed();
    m.error('ERR_DECODE');
    m.error('ERR_DECODE');
    m.error('ERR_HANDLER');
    expect(m.read(0).errorsByCode).toEqual({ ERR_DECODE: 2, ERR_HANDLER: 1 });
    for (let i = 0; i < 40; i++) m.error(`ERR_X${i}`);
    const codes = m.read(0).errorsByCode;
    expect(Object.keys(codes)).toHaveLength(32);
    expect(codes.other).toBe(11);
    m.error('ERR_DECODE');
    expect(m.read(0).errorsByCode.ERR_DECODE).toBe(3);
  });
});

describe('stats() on a real link', () => {
  it('counts messages in (events, confirmations, responses) and frames out, not the greeting or pings and pongs', async () => {
    const server = track(await startServer());
    const t0 = performance.now();
    const client = track(createClient({ url: server.url, signals: false }));
    await reach(client, 'open');
    const sub = client.subscribe('TaskStatusChanged'); // out: subscribe; in: subscribed
    await sub.ready();
    const got: number[] = [];
    const all = new Promise<void>((resolve) =>
      sub.on((ev) => {
        got.push(ev.seq ?? 0);
        if (got.length === 25) resolve();
      }),
    );
    for (let i = 0; i < 25; i++) server.publish({ event_type: 'TaskStatusChanged', data: { i } });
    await all; // in: 25 events
    for (let i = 0; i < 3; i++) expect(client.send({ type: 'ping' })).toBe('sent'); // out: 3; their pongs are not counted
    expect(await client.request('echo', { n: 1 })).toEqual({ n: 1 }); // out: 1; in: 1
    const s = client.stats();
    const ageS = (performance.now() - t0) / 1000;
    expect(s.messagesIn).toBe(27);
    expect(s.messagesOut).toBe(5);
    expect(s.messagesInPerSecond).toBeGreaterThanOrEqual(27 / ageS);
    expect(s.messagesOutPerSecond).toBeGreaterThanOrEqual(5 / ageS);
    expect(s.connectedForMs).toBeGreaterThan(0);
    expect(s.connectedForMs).toBeLessThan(ageS * 1000);
    expect(s.connectedMs).toBe(s.connectedForMs);
    expect(s).toMatchObject({ reconnects: 0, reconnectsPerMinute: 0, errorsByCode: {} });
  });

  it('reconnects and their rate follow each drop; connected time adds the connections up', async () => {
    const server = track(await startServer());
    const client = track(
      createClient({ url: server.url, signals: false, backoff: { minDelay: 10, maxDelay: 10, jitter: 'none' } }),
    );
    await reach(client, 'open');
    for (let n = 1; n <= 2; n++) {
      const reopened = next(client, 'open');
      server.dropAll(1012, 'restart');
      await reopened;
      const s = client.stats();
      expect(s).toMatchObject({ reconnects: n, reconnectsPerMinute: n, messagesIn: 0 });
      expect(s.connectedMs).toBeGreaterThan(s.connectedForMs);
    }
    client.close();
    const closed = client.stats();
    expect(closed.connectedForMs).toBe(0);
    expect(closed.connectedMs).toBeGreaterThan(0);
  });

  it('errorsByCode counts every error emitted on `error`, a subscription’s included', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const errors: EventwireError[] = [];
    client.on('error', (e) => errors.push(e));
    client.on('TaskStatusChanged', () => {
      throw new Error('boom');
    });
    const sub = client.subscribe('LogEntry');
    await sub.ready();
    const bad = next(client, 'error');
    server.sendRaw('not json');
    expect((await bad).code).toBe('ERR_DECODE');
    const thrown = next(client, 'error');
    server.publish({ event_type: 'TaskStatusChanged', data: {} });
    expect((await thrown).code).toBe('ERR_HANDLER');
    const refused = next(client, 'error');
    server.sendRaw(JSON.stringify({ type: 'error', code: 'bad_filter', message: 'no', id: sub.id }));
    expect((await refused).code).toBe('ERR_SERVER');
    expect(errors.map((e) => e.code)).toEqual(['ERR_DECODE', 'ERR_HANDLER', 'ERR_SERVER']);
    expect(client.stats().errorsByCode).toEqual({ ERR_DECODE: 1, ERR_HANDLER: 1, ERR_SERVER: 1 });
  });
});

/** A reader that collects when asked. */
class TestReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

const root = new URL('..', import.meta.url).pathname;

/** README's OpenTelemetry block, as JavaScript, imported like an app's module. */
async function readmeRecipe(): Promise<{ observeClient: (client: unknown, attributes?: object) => () => void }> {
  const blocks = blocksOf(readFileSync(join(root, 'README.md'), 'utf8'));
  const block = blocks.find((b) => b.lang === 'ts' && b.code.includes("from '@opentelemetry/api'"));
  expect(block, 'README has the OpenTelemetry recipe').toBeDefined();
  const js = ts.transpileModule(block?.code ?? '', {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  // inside the package, so that its imports resolve as an app's do
  const dir = join(root, 'node_modules', '.cache', 'otel-recipe');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `recipe-${process.pid}-${Date.now()}.mjs`);
  writeFileSync(file, js);
  try {
    return await import(pathToFileURL(file).href);
  } finally {
    rmSync(file, { force: true });
  }
}

describe("README's OpenTelemetry recipe", () => {
  it('runs as written: every figure of stats() reaches a MeterProvider, read at collection, until stopped', async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    expect(metrics.setGlobalMeterProvider(provider)).toBe(true);
    try {
      const { observeClient } = await readmeRecipe();
      const server = track(await startServer());
      const client = track(createClient({ url: server.url, signals: false }));
      client.on('error', () => {});
      await reach(client, 'open');
      const sub = client.subscribe('TaskStatusChanged');
      await sub.ready();
      const events = new Promise<void>((resolve) => {
        let n = 0;
        sub.on(() => ++n === 3 && resolve());
      });
      for (let i = 0; i < 3; i++) server.publish({ event_type: 'TaskStatusChanged', data: { i } });
      await events;
      const bad = next(client, 'error');
      server.sendRaw('not json');
      await bad;
      let reads = 0;
      const counted = {
        stats: () => {
          reads++;
          return client.stats();
        },
      };
      const stop = observeClient(counted, { service: 'test' });
      expect(reads).toBe(0); // read at collection, not before

      const points = async () => {
        const { resourceMetrics } = await reader.collect();
        const found = new Map<string, number>();
        for (const scope of resourceMetrics.scopeMetrics) {
          for (const metric of scope.metrics) {
            for (const point of metric.dataPoints as Array<{ attributes: Record<string, unknown>; value: unknown }>) {
              const { service, ...rest } = point.attributes;
              expect(service).toBe('test');
              const tags = Object.values(rest).join(',');
              found.set(`${metric.descriptor.name}${tags ? `{${tags}}` : ''}`, point.value as number);
            }
          }
        }
        return found;
      };
      const seen = await points();
      expect(reads).toBe(1);
      const stats = client.stats();
      expect(Object.fromEntries(seen)).toMatchObject({
        'eventwire.messages{in}': 4, // 3 events and the confirmation
        'eventwire.messages{out}': 1,
        'eventwire.reconnects': 0,
        'eventwire.reconnects.per_minute': 0,
        'eventwire.errors{ERR_DECODE}': 1,
      });
      expect(stats.messagesIn).toBe(4);
      expect(seen.get('eventwire.connection.duration')).toBeGreaterThan(0);
      expect(seen.get('eventwire.connection.time')).toBeGreaterThan(0);
      expect(seen.get('eventwire.messages.rate{in}')).toBeGreaterThan(0);
      expect(seen.has('eventwire.messages.rate{out}')).toBe(true);

      stop();
      await points();
      expect(reads).toBe(1);
    } finally {
      metrics.disable();
      await provider.shutdown();
    }
  });
});
