/** The emitter behind `client.on` and `sub.on`: registrations, removal, and how listeners took an event. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEmitter } from '../src/core/util/emitter.js';

type Events = { tick: number };

describe('emitter', () => {
  it('the same function added twice is two registrations; each off removes one, once', () => {
    const failures: unknown[] = [];
    const emitter = createEmitter<Events>((_type, error) => failures.push(error));
    const seen: string[] = [];
    const f = () => void seen.push('f');
    const g = () => void seen.push('g');
    const offF1 = emitter.on('tick', f);
    emitter.on('tick', g);
    const offF2 = emitter.on('tick', f);
    emitter.emit('tick', 1);
    expect(seen).toEqual(['f', 'g', 'f']);
    offF1();
    seen.length = 0;
    emitter.emit('tick', 2);
    expect(seen).toEqual(['g', 'f']); // the first registration went, the third stays in its place
    offF2();
    offF1(); // spent: a no-op
    expect(emitter.count('tick')).toBe(1);
    const offF3 = emitter.on('tick', f);
    offF2(); // spent, even though f is registered again
    expect(emitter.count('tick')).toBe(2);
    offF3();
    expect(emitter.count('tick')).toBe(1);
    expect(failures).toEqual([]);
  });

  it('a listener added or removed during an emit takes effect from the next emit', () => {
    const emitter = createEmitter<Events>(() => {});
    const seen: string[] = [];
    const late = () => void seen.push('late');
    let offSecond = () => {};
    emitter.on('tick', () => {
      seen.push('first');
      emitter.on('tick', late);
      offSecond();
    });
    offSecond = emitter.on('tick', () => void seen.push('second'));
    emitter.emit('tick', 1);
    expect(seen).toEqual(['first', 'second']);
    seen.length = 0;
    emitter.emit('tick', 2);
    expect(seen).toEqual(['first', 'late']);
  });

  it('a throw is reported and the others still run; the outcome is false, or the verdict of async ones', async () => {
    const failures: Array<[string, unknown]> = [];
    const emitter = createEmitter<Events>((type, error) => failures.push([type, error]));
    expect(emitter.emit('tick', 0)).toBeUndefined(); // nobody listens
    const boom = new Error('boom');
    let after = 0;
    const offThrow = emitter.on('tick', () => {
      throw boom;
    });
    emitter.on('tick', () => void after++);
    expect(emitter.emit('tick', 1)).toBe(false);
    expect(after).toBe(1);
    expect(failures).toEqual([['tick', boom]]);
    offThrow();
    expect(emitter.emit('tick', 2)).toBeUndefined(); // every listener returned
    const offOk = emitter.on('tick', async () => {});
    await expect(emitter.emit('tick', 3)).resolves.toBe(true);
    offOk();
    const late = new Error('late');
    emitter.on('tick', async () => {
      throw late;
    });
    await expect(emitter.emit('tick', 4)).resolves.toBe(false); // never rejects: reported instead
    expect(failures.at(-1)).toEqual(['tick', late]);
  });

  it('once runs at most once', () => {
    const emitter = createEmitter<Events>(() => {});
    const seen: number[] = [];
    emitter.once('tick', (n) => void seen.push(n));
    emitter.emit('tick', 1);
    emitter.emit('tick', 2);
    expect(seen).toEqual([1]);
    expect(emitter.total()).toBe(0);
  });

  it('a listener whose returned value throws when asked for `then` (a revoked Proxy) failed: reported, the next one runs', () => {
    const failures: unknown[] = [];
    const emitter = createEmitter<Events>((_type, error) => failures.push(error));
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const seen: string[] = [];
    emitter.on('tick', () => proxy as unknown as undefined);
    emitter.on(
      'tick',
      () =>
        ({
          // biome-ignore lint/suspicious/noThenProperty: a thenable whose then throws is the case under test
          then: () => {
            throw new Error('then threw');
          },
        }) as unknown as undefined,
    );
    emitter.on('tick', () => void seen.push('last'));
    expect(emitter.emit('tick', 1)).toBe(false);
    expect(seen).toEqual(['last']);
    expect(failures.map((e) => (e as Error).constructor.name)).toEqual(['TypeError', 'Error']);
  });
});

describe('once, when an emit runs inside another', () => {
  it('a once listener runs once: an emit begun before the one that ran it finds it gone', () => {
    const emitter = createEmitter<Events>(() => {});
    const calls: number[] = [];
    let nested = true;
    emitter.on('tick', () => {
      if (nested) {
        nested = false;
        emitter.emit('tick', 2); // runs the once listener before the outer emit reaches it
      }
    });
    emitter.once('tick', (n) => void calls.push(n));
    emitter.emit('tick', 1);
    expect(calls).toEqual([2]);
    expect(emitter.count('tick')).toBe(1);
  });
});

describe('emitter against a model (random sequences of on, once, off, removals and emits)', () => {
  type Op =
    | { op: 'on' | 'once'; type: 0 | 1; fn: number }
    | { op: 'off'; type: 0 | 1; fn: number }
    | { op: 'remove'; k: number }
    | { op: 'emit'; type: 0 | 1 };
  const type = fc.constantFrom<0 | 1>(0, 1);
  const fnIndex = fc.integer({ min: 0, max: 2 });
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ op: fc.constantFrom<'on' | 'once'>('on', 'once'), type, fn: fnIndex }),
    fc.record({ op: fc.constant<'off'>('off'), type, fn: fnIndex }),
    fc.record({ op: fc.constant<'remove'>('remove'), k: fc.nat(30) }),
    fc.record({ op: fc.constant<'emit'>('emit'), type }),
  );

  it('calls, counts and removes exactly as a list of registrations in order would', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const types = ['a', 'b'] as const;
        const emitter = createEmitter<{ a: number; b: number }>(() => {});
        const called: number[] = [];
        const fns = [0, 1, 2].map((i) => () => void called.push(i));
        // the model: registrations in order, each with its function, whether once, and whether alive
        const model: Array<{ type: number; fn: number; once: boolean; alive: boolean }> = [];
        const removals: Array<{ off: () => void; reg: (typeof model)[number] }> = [];
        const expected: number[] = [];
        for (const o of ops) {
          if (o.op === 'on' || o.op === 'once') {
            const reg = { type: o.type, fn: o.fn, once: o.op === 'once', alive: true };
            model.push(reg);
            removals.push({ off: emitter[o.op](types[o.type], fns[o.fn] as () => void), reg });
          } else if (o.op === 'off') {
            emitter.off(types[o.type], fns[o.fn] as () => void);
            const first = model.find((r) => r.alive && r.type === o.type && r.fn === o.fn);
            if (first) first.alive = false;
          } else if (o.op === 'remove') {
            const r = removals[o.k % Math.max(1, removals.length)];
            r?.off();
            if (r) r.reg.alive = false;
          } else {
            emitter.emit(types[o.type], 1);
            for (const r of model.filter((m) => m.alive && m.type === o.type)) {
              expected.push(r.fn);
              if (r.once) r.alive = false;
            }
          }
          for (const t of [0, 1] as const)
            expect(emitter.count(types[t])).toBe(model.filter((m) => m.alive && m.type === t).length);
        }
        expect(called).toEqual(expected);
        expect(emitter.total()).toBe(model.filter((m) => m.alive).length);
      }),
      { numRuns: 2_000 },
    );
  });
});
