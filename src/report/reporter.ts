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
