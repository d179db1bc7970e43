/**
 * A simulated provisioning workload: tasks moving through their states, workflow
 * progress, logs at several levels, metrics and health. Deterministic for a given seed.
 */
import { seeded } from '../test/fixtures/random.js';
import type { PublishInput } from '../test/fixtures/server.js';

const STATES = ['Pending', 'Running', 'Running', 'Done'] as const;
const LEVELS = ['DEBUG', 'INFO', 'INFO', 'INFO', 'WARN', 'ERROR'] as const;
const HOSTS = ['db-01', 'web-02', 'cache-03', 'queue-04'];

/** Returns a generator of the next event to publish. */
export function provisioningWorkload(seed = 1) {
  const random = seeded(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const tasks = new Map<string, { step: number; progress: number }>();
  let taskNo = 0;
  let messageNo = 0;

  return (): PublishInput => {
    const roll = random();
    if (roll < 0.3) {
      if (tasks.size < 4 || random() < 0.2) tasks.set(`task-${++taskNo}`, { step: 0, progress: 0 });
      const [id, task] = pick([...tasks.entries()]);
      task.step++;
      const failed = task.step > 1 && random() < 0.1;
      const status = failed ? 'Failed' : (STATES[Math.min(task.step, STATES.length - 1)] ?? 'Done');
      if (status === 'Done' || status === 'Failed') tasks.delete(id);
      return {
        event_type: 'TaskStatusChanged',
        data: { task_id: id, host: pick(HOSTS), status },
        // status changes are critical: the server waits for an ack
        message_id: `m-${++messageNo}`,
        requires_ack: true,
      };
    }
    if (roll < 0.5 && tasks.size > 0) {
      const [id, task] = pick([...tasks.entries()]);
      task.progress = Math.min(100, task.progress + Math.round(random() * 25));
      return { event_type: 'WorkflowProgressUpdate', data: { task_id: id, progress: task.progress } };
    }
    if (roll < 0.8) {
      const level = pick(LEVELS);
      return {
        event_type: 'LogEntry',
        data: { level, host: pick(HOSTS), message: `${level.toLowerCase()} line ${messageNo++}` },
      };
    }
    if (roll < 0.95) {
      return {
        event_type: 'MetricUpdate',
        data: { name: 'cpu', host: pick(HOSTS), value: Math.round(random() * 1000) / 10 },
      };
    }
    return { event_type: 'SystemHealthUpdate', data: { status: random() < 0.9 ? 'healthy' : 'degraded' } };
  };
}
