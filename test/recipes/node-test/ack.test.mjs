import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClient } from 'eventwire';
import { createTestServer } from 'eventwire/testing';

test('the deploy handler acks an event once it has handled it', async (t) => {
  const server = await createTestServer();
  const client = createClient({ url: server.url, token: server.token });
  t.after(async () => {
    client.close();
    await server.stop();
  });
  const deployed = [];
  client.on('Deploy', (event) => {
    deployed.push(event.data.version); // the app's handler; the client acks when it returns
  });
  await new Promise((resolve) => client.on('open', resolve));

  const ack = server.nextMessage((message) => message.type === 'ack');
  server.publish('Deploy', { version: '1.4.2' }, { messageId: 'deploy-1' });
  assert.deepEqual(await ack, { type: 'ack', message_id: 'deploy-1' });
  assert.deepEqual(deployed, ['1.4.2']);
});
