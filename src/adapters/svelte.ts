/**
 * `eventwire/svelte`: readable stores that meet the Svelte store contract, without
 * importing svelte. Use them with `$store` in components.
 *
 * @example
 * ```svelte
 * <script>
 *   import { connectionState, eventList } from 'eventwire/svelte';
 *   const state = connectionState(client);
 *   const logs = eventList(client, 'LogEntry', { limit: 50, filters: { level: 'ERROR' } });
 * </script>
 * <p>{$state}</p>
 * {#each $logs as log (log.seq)}<p>{log.data.message}</p>{/each}
 * ```
 */
export {
  connectionState,
  type EventListOptions,
  type EventStoreOptions,
  eventList,
  latestEvent,
  type ReadableStore,
  type StoreOptions,
} from './store.js';
