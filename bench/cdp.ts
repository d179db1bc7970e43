/**
 * Chromium driven directly over the DevTools protocol, without Playwright: Playwright enables
 * network reporting on every page (about 60 µs of work per WebSocket frame in the renderer),
 * which would swamp what a client costs per event. Here the browser is spawned by hand
 * (`--remote-debugging-port=0`, its DevTools URL read from stderr), pages are targets this
 * code creates, and the Network domain is never enabled.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { findChromium } from '../scripts/chromium.mjs';

type Params = Record<string, unknown>;
interface Pending {
  resolve(v: Params): void;
  reject(e: Error): void;
}

export class Cdp {
  #ws: WebSocket;
  #id = 0;
  #pending = new Map<number, Pending>();
  #listeners = new Set<(method: string, params: Params, sessionId?: string) => void>();

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as {
        id?: number;
        result?: Params;
        error?: { message: string };
        method?: string;
        params?: Params;
        sessionId?: string;
      };
      if (msg.id !== undefined) {
        const p = this.#pending.get(msg.id);
        this.#pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(msg.error.message));
        else p?.resolve(msg.result ?? {});
      } else if (msg.method) for (const l of this.#listeners) l(msg.method, msg.params ?? {}, msg.sessionId);
    });
  }

  static async connect(url: string): Promise<Cdp> {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 512 * 2 ** 20 });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new Cdp(ws);
  }

  send<T = Params>(method: string, params: Params = {}, sessionId?: string): Promise<T> {
    const id = ++this.#id;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: Params) => void, reject });
      this.#ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  on(listener: (method: string, params: Params, sessionId?: string) => void) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close() {
    this.#ws.close();
  }
}

/** A page: a target created by this code, attached with a flat session. */
export class CdpPage {
  constructor(
    readonly cdp: Cdp,
    readonly targetId: string,
    readonly sessionId: string,
  ) {}

  static async open(cdp: Cdp): Promise<CdpPage> {
    const { targetId } = await cdp.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await cdp.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
    return new CdpPage(cdp, targetId, sessionId);
  }

  send<T = Params>(method: string, params: Params = {}) {
    return this.cdp.send<T>(method, params, this.sessionId);
  }

  /** Evaluates an expression in the page (awaiting a promise it returns); returns its JSON value. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send<{
      result: { value?: T };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    }>('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails)
      throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text ?? 'evaluate failed');
    return r.result.value as T;
  }

  /** Navigates and resolves once `expression` is truthy in the page (polled every 20 ms). */
  async goto(url: string, until: string, timeoutMs = 15_000) {
    await this.send('Page.navigate', { url });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ok = await this.evaluate<boolean>(`Boolean(${until})`).catch(() => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`page ${url}: ${until} never became true`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Chromium's own counters (Performance.getMetrics) as name -> value. */
  async metrics(): Promise<Record<string, number>> {
    const { metrics } = await this.send<{ metrics: Array<{ name: string; value: number }> }>('Performance.getMetrics');
    return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
  }

  close() {
    return this.cdp.send('Target.closeTarget', { targetId: this.targetId });
  }
}

export interface Chromium {
  cdp: Cdp;
  version: string;
  close(): Promise<void>;
}

/** Spawns headless Chromium with a DevTools port of its own and connects to it. */
export async function launch(): Promise<Chromium> {
  const found = (await findChromium()) as { executablePath?: string; channel?: string } | undefined;
  const executable = found?.executablePath ?? (found?.channel ? '/opt/google/chrome/chrome' : undefined);
  if (!executable) throw new Error('no Chromium on this machine (see scripts/chromium.mjs)');
  const profile = mkdtempSync(join(tmpdir(), 'eventwire-cdp-'));
  const child: ChildProcess = spawn(
    executable,
    [
      '--headless=new',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-extensions',
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`chromium gave no DevTools URL: ${err.slice(-500)}`)), 30_000);
    child.stderr?.on('data', (d) => {
      err += String(d);
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`chromium exited ${code}: ${err.slice(-500)}`)));
  });
  child.stderr?.resume();
  const cdp = await Cdp.connect(url);
  const { product } = await cdp.send<{ product: string }>('Browser.getVersion');
  return {
    cdp,
    version: product,
    close: async () => {
      await cdp.send('Browser.close').catch(() => {});
      cdp.close();
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
