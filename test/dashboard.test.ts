/**
 * The demo dashboard in Chromium: live events render, the level filter re-subscribes with
 * filters, it recovers after a server restart, and a screenshot is saved for a person to
 * check by eye (artifacts/dashboard.png).
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Demo, startDemo } from '../demo/server.js';
import { launchChromium } from './fixtures/browser.js';

type Stats = { tasks: number; logs: number; metrics: number; opens: number; levelFilter: string };

describe('the demo dashboard', () => {
  let demo: Demo;
  let browser: Browser;
  let page: Page;
  const stats = () => page.evaluate(() => (window as unknown as { dashboard: Stats }).dashboard);
  const until = async (what: string, condition: (s: Stats) => boolean | Promise<boolean>) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const s = await stats().catch(() => undefined);
      if (s && (await condition(s))) return s;
      if (Date.now() > deadline) throw new Error(`dashboard never showed ${what}: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    demo = await startDemo({ ratePerSecond: 40 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 760 } });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('renders live tasks, logs and metrics', async () => {
    await page.goto(demo.dashboardUrl);
    await until('live events', (s) => s.tasks >= 2 && s.logs >= 5 && s.metrics >= 3);
    expect(await page.textContent('#badge')).toBe('open');
    expect(await page.locator('.task .bar > i').count()).toBeGreaterThan(1);
    expect((await page.getAttribute('#line', 'points'))?.split(' ').length).toBeGreaterThan(2);
  });

  it('renders event data as text, never as HTML', async () => {
    const hostile = '<img id="injected" src="x" onerror="window.pwned = true">';
    demo.server.publish({ event_type: 'LogEntry', data: { level: 'ERROR', host: hostile, message: hostile } });
    await page.waitForFunction((text) => document.querySelector('#logs')?.textContent?.includes(text), hostile);
    expect(await page.locator('#injected').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { pwned?: boolean }).pwned)).toBeUndefined();
  });

  it('changing the log level re-subscribes with filters', async () => {
    await page.selectOption('#level', 'ERROR');
    await until('ERROR logs', (s) => s.levelFilter === 'ERROR' && s.logs >= 2);
    const levels = await page
      .locator('#logs .log')
      .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.level));
    expect(levels.length).toBeGreaterThan(1);
    expect(new Set(levels)).toEqual(new Set(['ERROR']));
    const filtered = demo.server.connections
      .flatMap((c) => c.received)
      .filter((m) => 'type' in m && m.type === 'subscribe' && m.events.includes('LogEntry') && m.filters);
    expect(filtered.at(-1)).toMatchObject({ filters: { level: ['ERROR'] } });
  });

  it('recovers after a server restart, and a screenshot is saved', async () => {
    const before = await stats();
    await demo.server.restart({ downtime: 1_500 });
    await page.waitForFunction(() => document.querySelector('#badge')?.textContent?.startsWith('reconnecting'), null, {
      timeout: 5_000,
    });
    const countdown = await page.textContent('#badge');
    await until('the reconnection', (s) => s.opens === before.opens + 1);
    const reopened = await stats();
    await until('new events after the restart', (s) => s.logs > reopened.logs + 1);
    expect(await page.textContent('#badge')).toBe('open');
    expect(countdown).toMatch(/^reconnecting( in \d+\.\d s)?$/);
    mkdirSync(new URL('../artifacts/', import.meta.url), { recursive: true });
    await page.screenshot({ path: new URL('../artifacts/dashboard.png', import.meta.url).pathname });
  });
});
