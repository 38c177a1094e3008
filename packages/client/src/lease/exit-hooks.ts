/**
 * A holder of a seat that must be given back when the process ends.
 *
 * @example
 * ```ts
 * registerExitRelease({ releaseOnExit: () => client.release(), releaseOnExitSync: () => {} });
 * ```
 */
export interface ExitReleasable {
  /** Gives the seat back; awaited in `beforeExit` and on signals. */
  releaseOnExit(): Promise<void>;
  /** Gives the seat back without awaiting, for the `exit` event. */
  releaseOnExitSync(): void;
}

const holders = new Set<ExitReleasable>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const SIGNAL_NUMBERS: Record<(typeof SIGNALS)[number], number> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };
const SIGNAL_RELEASE_TIMEOUT_MS = 3000;
let installed = false;
let releasing: Promise<void> | null = null;

function releaseAll(): Promise<void> {
  if (!releasing) {
    const all = [...holders];
    holders.clear();
    releasing = Promise.allSettled(all.map((h) => h.releaseOnExit())).then(() => {
      releasing = null;
    });
  }
  return releasing;
}

function onBeforeExit(): void {
  // The loop is empty: the program finished its work. Releasing schedules I/O, so
  // `beforeExit` fires again afterwards with no holders left and the process ends.
  if (holders.size > 0) void releaseAll();
}

function onExit(): void {
  // process.exit() or an uncaught exception: nothing can be awaited any more.
  for (const holder of holders) holder.releaseOnExitSync();
  holders.clear();
}

function onSignal(signal: (typeof SIGNALS)[number]): void {
  // The program handles this signal itself (say, Ctrl-C cancels one operation):
  // its handler decides; if it exits, `beforeExit`/`exit` release the seat.
  if (process.listenerCount(signal) > 1) return;
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, SIGNAL_RELEASE_TIMEOUT_MS).unref());
  void Promise.race([releaseAll(), timeout]).then(() => {
    uninstall();
    // Keep the signal's usual effect: if nobody else handles it, die of it as if we were not here.
    if (process.listenerCount(signal) === 0) {
      try {
        process.kill(process.pid, signal);
      } catch {
        process.exit(128 + SIGNAL_NUMBERS[signal]);
      }
    }
  });
}

const signalHandlers = new Map(SIGNALS.map((s) => [s, () => onSignal(s)]));

function install(): void {
  if (installed) return;
  installed = true;
  process.on('beforeExit', onBeforeExit);
  process.on('exit', onExit);
  for (const [signal, handler] of signalHandlers) {
    if (process.platform === 'win32' && signal === 'SIGHUP') continue;
    process.on(signal, handler);
  }
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('beforeExit', onBeforeExit);
  process.off('exit', onExit);
  for (const [signal, handler] of signalHandlers) process.off(signal, handler);
}

/**
 * Arranges for a seat to be released when the process ends: when the event loop
 * empties (`beforeExit`), on SIGINT, SIGTERM and SIGHUP (then the signal is raised
 * again so the process still dies of it, unless the program has its own handler),
 * and on `process.exit()` through a synchronous fallback.
 *
 * @example
 * ```ts
 * registerExitRelease(holder);
 * // later, when the seat was released by hand:
 * unregisterExitRelease(holder);
 * ```
 */
export function registerExitRelease(holder: ExitReleasable): void {
  holders.add(holder);
  install();
}

/**
 * Stops releasing this holder's seat on exit.
 *
 * @example
 * ```ts
 * unregisterExitRelease(holder);
 * ```
 */
export function unregisterExitRelease(holder: ExitReleasable): void {
  holders.delete(holder);
  if (holders.size === 0 && !releasing) uninstall();
}
