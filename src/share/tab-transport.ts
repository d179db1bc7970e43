import type { Transport, TransportEvents, TransportFactory } from '../transport/transport.js';
import { isShareMessage, type ShareMessage } from './wire.js';

/**
 * @internal A tab's transport when tabs share one connection: its "socket" is a link to the
 * hub (in whichever tab leads) over the share's `BroadcastChannel`. It opens when the hub says
 * its own link to the server is open, carries protocol v1 frames, and closes when the hub's
 * link closes (with the server's code) or when another hub starts (the leader changed). A
 * pending open waits for a hub: there may be none for a moment between two leaders.
 */
export function createTabTransport(channel: string, id: string): TransportFactory {
  return (_config, events: TransportEvents): Transport => {
    let port: BroadcastChannel | undefined;
    /** The hub this link is open to; undefined while waiting for one. */
    let hub: string | undefined;
    let attempt = 0;

    const end = () => {
      if (port) port.onmessage = null;
      port?.close();
      port = undefined;
      hub = undefined;
    };
    const post = (message: ShareMessage) => port?.postMessage(message);

    return {
      connect() {
        end();
        const current = ++attempt;
        port = new BroadcastChannel(channel);
        port.onmessage = ({ data }: MessageEvent) => {
          if (current !== attempt || !isShareMessage(data)) return;
          switch (data.t) {
            case 'hub':
              if (hub === undefined)
                post({ t: 'open', from: id }); // a new leader: ask it
              else if (data.from !== hub) {
                end(); // our hub is gone (its tab closed or crashed)
                events.onClose(1006, 'the leading tab changed');
              }
              return;
            case 'opened':
              if (data.to !== id || hub !== undefined) return;
              hub = data.from;
              events.onOpen();
              return;
            case 'frame':
              if (data.to === id && data.from === hub) events.onMessage(data.data, true);
              return;
            case 'closed': // from our hub, or (while we wait) from a hub that stopped for good
              if (data.to !== id || (hub !== undefined && data.from !== hub)) return;
              end();
              events.onClose(data.code, data.reason);
              return;
          }
        };
        post({ t: 'open', from: id });
      },
      send(data) {
        if (!port || hub === undefined) return false;
        post({ t: 'frame', from: id, to: hub, data });
        return true;
      },
      close() {
        if (port && hub !== undefined) post({ t: 'closed', from: id, to: hub, code: 1000, reason: '' });
        attempt++;
        end();
      },
    };
  };
}
