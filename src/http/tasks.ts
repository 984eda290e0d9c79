/**
 * TaskGroup: the concurrent parts of one extraction (independent listings, per-item fan-outs started as soon as each
 * page of items arrives) under one cancellation signal.
 *
 * The first task that fails cancels the group: every request that passes `group.signal` and has not finished fails
 * fast as 'request cancelled' (a request waiting out a backoff or Retry-After stops waiting). wait() returns when
 * every task, including tasks spawned while waiting, has settled, and then rethrows the FIRST failure, so the error a
 * caller sees is the one that caused the stop (naming source, endpoint and field), never a cancellation it caused.
 * Nothing keeps running after wait() has returned or thrown.
 */
import { setMaxListeners } from 'node:events';

export class TaskGroup {
  private readonly controller = new AbortController();
  private readonly tasks: Promise<unknown>[] = [];
  private failure: { error: unknown } | undefined;

  constructor() {
    // Every request waiting out a backoff listens for the cancellation: no "possible leak" warning past 10.
    setMaxListeners(0, this.controller.signal);
  }

  /** Pass it as `signal` on every request of the group. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True once a task has failed (the group is cancelling). */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /**
   * Starts `fn` now and returns its promise (await it to use the result; a rejection is also reported by wait(), so
   * a task nobody awaits is never an unhandled rejection).
   */
  spawn<T>(fn: () => Promise<T>): Promise<T> {
    const task = (async () => fn())().catch((error: unknown) => {
      if (!this.failure) {
        this.failure = { error };
        this.controller.abort();
      }
      throw error;
    });
    task.catch(() => {});
    this.tasks.push(task);
    return task;
  }

  /** Waits for every task (and the tasks they spawn); rethrows the first failure. */
  async wait(): Promise<void> {
    for (let done = 0; done < this.tasks.length; ) {
      const batch = this.tasks.slice(done);
      done = this.tasks.length;
      await Promise.allSettled(batch);
    }
    if (this.failure) throw this.failure.error;
  }
}
