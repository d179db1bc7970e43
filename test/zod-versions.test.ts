/**
 * `eventwire/protocol` with either zod the peer range takes: zod 4, or zod 3.25 (whose `zod/v4/mini`
 * is zod 4's). A project on zod 3 could not install the package at all while the range said ^4
 * (npm's ERESOLVE); the schemas import `zod/v4/mini`, which both have. The built entry
 * (dist/protocol.js, `npm test` builds it) is bundled here with `zod` resolved to zod 3.25.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'eventwire-zod3-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** dist/protocol.js with `zod` (and its subpaths) taken from the package `zodPackage`. */
async function protocolWith(zodPackage: string) {
  const outfile = join(dir, `${zodPackage}.mjs`);
  await build({
    entryPoints: [join(root, 'dist/protocol.js')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile,
    alias: { zod: zodPackage },
    logLevel: 'error',
  });
  return {
    code: readFileSync(outfile, 'utf8'),
    protocol: (await import(pathToFileURL(outfile).href)) as typeof import('../src/protocol/index.js'),
  };
}

describe('eventwire/protocol and the zod it is given', () => {
  it('the peer range takes zod 3.25.76 and 4, and the schemas import only zod/v4/mini, which both have', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.peerDependencies.zod).toBe('^3.25.76 || ^4.0.0'); // 3.25.0-.29 have no zod/v4/mini; the floor is the one tested
    const dist = readFileSync(join(root, 'dist/protocol.js'), 'utf8');
    expect([...dist.matchAll(/from\s*["'](zod[^"']*)["']/g)].map((m) => m[1])).toEqual(['zod/v4/mini']);
  });

  it.each(['zod', 'zod3'])('with %s: the schemas parse good messages and refuse bad ones', async (zodPackage) => {
    const { code, protocol } = await protocolWith(zodPackage);
    const version = JSON.parse(readFileSync(join(root, 'node_modules', zodPackage, 'package.json'), 'utf8')).version;
    expect(version).toMatch(zodPackage === 'zod3' ? /^3\.25\./ : /^4\./);
    expect(code.includes('node_modules/zod3/')).toBe(zodPackage === 'zod3'); // bundled from that package
    const event = { event_type: 'LogEntry', timestamp: '2026-12-08T00:00:00Z', data: { level: 'WARN' }, seq: 7 };
    expect(protocol.EventMessageSchema.safeParse(event).success).toBe(true);
    expect(protocol.EventMessageSchema.safeParse({ ...event, seq: -1 }).success).toBe(false);
    const subscribe = { type: 'subscribe', id: 's-1', events: ['LogEntry'], filters: { level: ['WARN'] } };
    expect(protocol.SubscribeMessageSchema.safeParse(subscribe).success).toBe(true);
    expect(protocol.SubscribeMessageSchema.safeParse({ ...subscribe, filters: { level: [] } }).success).toBe(false);
  });
});
