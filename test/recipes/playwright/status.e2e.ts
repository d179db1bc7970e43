import { expect, test } from '@playwright/test';
import { connectTestServer } from 'eventwire/testing';

test('the status shows Reconnecting… while the server restarts, then Live again', async ({ page }) => {
  const server = await connectTestServer(process.env.EVENTWIRE_CONTROL ?? '');
  await page.goto(`${process.env.APP_URL}/?url=${encodeURIComponent(server.url)}&token=${server.token}`);
  const status = page.locator('#status');
  await expect(status).toHaveText('Live');

  const restarted = server.restart({ downMs: 1_000 });
  await expect(status).toHaveText('Reconnecting…');
  await restarted;
  await expect(status).toHaveText('Live');
});
