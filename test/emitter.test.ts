/** The emitter behind `client.on` and `sub.on`: registrations, removal, and how listeners took an event. */
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
