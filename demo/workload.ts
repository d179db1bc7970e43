/**
 * A simulated provisioning workload: tasks moving through their states, workflow
 * progress, logs at several levels, a CPU figure per host and health. Deterministic for a
 * given seed.
 *
 * Every task event carries the task's status (a progress update too), so a page that opens
 * in the middle of a task shows what the task is doing, not a guess. CPU is a random walk
 * per host, so each host's sparkline reads as a line rather than noise.
 */
import { seeded } from '../test/fixtures/random.js';
import type { PublishInput } from '../test/fixtures/server.js';

const LEVELS = ['DEBUG', 'INFO', 'INFO', 'INFO', 'WARN', 'ERROR'] as const;
/** The hosts the workload runs on: one CPU series each. */
export const HOSTS = ['db-01', 'web-02', 'cache-03', 'queue-04'] as const;

/** Returns a generator of the next event to publish. */
export function provisioningWorkload(seed = 1) {
  const random = seeded(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const tasks = new Map<string, { step: number; progress: number; host: string }>();
  const cpu = new Map<string, number>(HOSTS.map((h) => [h, 20 + Math.round(random() * 400) / 10]));
  let taskNo = 0;
  let messageNo = 0;

  return (): PublishInput => {
    const roll = random();
    if (roll < 0.3) {
      // a task is created Pending; the next change starts it, the ones after finish it
      if (tasks.size < 4 || random() < 0.2) {
        const id = `task-${++taskNo}`;
        const host = pick(HOSTS);
        tasks.set(id, { step: 0, progress: 0, host });
        return statusChange(id, host, 'Pending', ++messageNo);
      }
      const [id, task] = pick([...tasks.entries()]);
      task.step++;
      const status = task.step === 1 ? 'Running' : random() < 0.15 ? 'Failed' : 'Done';
      if (status === 'Done' || status === 'Failed') tasks.delete(id);
      return statusChange(id, task.host, status, ++messageNo);
    }
    const running = [...tasks.entries()].filter(([, t]) => t.step > 0);
    if (roll < 0.5 && running.length > 0) {
      const [id, task] = pick(running);
      task.progress = Math.min(100, task.progress + 1 + Math.round(random() * 24));
      return {
        event_type: 'WorkflowProgressUpdate',
        data: { task_id: id, host: task.host, status: 'Running', progress: task.progress },
      };
    }
    if (roll < 0.8) {
      const level = pick(LEVELS);
      return {
        event_type: 'LogEntry',
        data: { level, host: pick(HOSTS), message: `${level.toLowerCase()} line ${messageNo++}` },
      };
    }
    if (roll < 0.95) {
      const host = pick(HOSTS);
      const next = Math.min(98, Math.max(2, (cpu.get(host) ?? 50) + (random() - 0.5) * 16));
      cpu.set(host, next);
      return { event_type: 'MetricUpdate', data: { name: 'cpu', unit: '%', host, value: Math.round(next * 10) / 10 } };
    }
    return { event_type: 'SystemHealthUpdate', data: { status: random() < 0.9 ? 'healthy' : 'degraded' } };
  };
}

/** Status changes are critical: the server waits for an ack. */
function statusChange(id: string, host: string, status: string, messageNo: number): PublishInput {
  return {
    event_type: 'TaskStatusChanged',
    data: { task_id: id, host, status },
    message_id: `m-${messageNo}`,
    requires_ack: true,
  };
}
