/**
 * Work a request starts but does not wait for, because its answer must not depend on it:
 * `POST /password/forgot` answers before it even looks the address up, so a known and an
 * unknown address take the same time. Each instance tracks its own; `idle()` lets
 * shutdown (and tests) wait for what is still running.
 */
export interface BackgroundWork {
  run(task: () => Promise<void>): void
  /** Resolves once every task started so far has settled. */
  idle(): Promise<void>
  /** Where failures go (the server's log); until set they are kept quiet. */
  onError(report: (error: unknown) => void): void
}

export function createBackgroundWork(): BackgroundWork {
  const running = new Set<Promise<void>>()
  let report: (error: unknown) => void = () => undefined
  return {
    run(task) {
      const promise = Promise.resolve()
        .then(task)
        .catch((error: unknown) => report(error))
        .finally(() => running.delete(promise))
      running.add(promise)
    },
    async idle() {
      while (running.size > 0) await Promise.all(running)
    },
    onError(next) {
      report = next
    },
  }
}

/**
 * A wake-up call inside one instance: work queued by a request can start now instead of at
 * the next poll (other instances still find it by polling).
 */
export interface Signal {
  notify(): void
  /** Calls `listener` on each notification; returns the unsubscribe. */
  listen(listener: () => void): () => void
}

export function createSignal(): Signal {
  const listeners = new Set<() => void>()
  return {
    notify() {
      for (const listener of listeners) listener()
    },
    listen(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
