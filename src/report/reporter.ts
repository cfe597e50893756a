/**
 * What a run tells the person watching it while services start and stop. start() calls these; the
 * renderers decide how it looks (live lines in a terminal, plain lines in CI or a pipe).
 */
export interface StartupReporter {
  /** The service was spawned (or is about to be) and cleanroom now waits for `waitingFor` ("GET http://localhost:8000/health", "TCP :3000", "a log line matching /ready/"). */
  waiting(service: string, waitingFor: string): void;
  /** The service is ready after `ms` (since it was spawned). */
  ready(service: string, ms: number, url?: string): void;
  /** Something that is already running is used instead (portInUse: 'reuse', warm reuse). */
  reused(service: string, url: string): void;
  /** The service failed to start or to become ready (the full error is thrown separately). */
  failed(service: string, reason: string): void;
  /** Start-up is over (all ready, or failed): a live display stops updating and leaves its last state. */
  done(): void;
  /** Teardown is over: one summary line ("stopped 2 services (6 processes) in 40 ms; ports 8000, 3000 free"). */
  stopped(summary: string): void;
}

/** Reports nothing. */
export const silentReporter: StartupReporter = { waiting() {}, ready() {}, reused() {}, failed() {}, done() {}, stopped() {} };

/**
 * `reporter`, with every call that throws reported once through `onError` and otherwise ignored: a
 * reporter of the user's that throws must never leave a service running or hide what happened.
 */
export function guardedReporter(reporter: StartupReporter, onError: (message: string) => void): StartupReporter {
  let said = false;
  const guard =
    <A extends unknown[]>(name: keyof StartupReporter, fn: (...args: A) => void) =>
    (...args: A): void => {
      try {
        fn.apply(reporter, args);
      } catch (err) {
        if (said) return;
        said = true;
        onError(`the reporter's ${name}() threw (${(err as Error)?.message ?? String(err)}); its later errors are not shown. The run goes on.`);
      }
    };
  return {
    waiting: guard('waiting', reporter.waiting),
    ready: guard('ready', reporter.ready),
    reused: guard('reused', reporter.reused),
    failed: guard('failed', reporter.failed),
    done: guard('done', reporter.done),
    stopped: guard('stopped', reporter.stopped),
  };
}
