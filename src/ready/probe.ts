/** One readiness strategy: an attempt that says ready or not, and why not. Strategies share this shape. */
export interface Attempt {
  ok: boolean;
  /** What the last failed attempt saw ("connection refused", "status 503"), for timeout messages. */
  detail?: string;
  /** True when the connection was refused: nothing listens, so nothing could have logged the attempt. */
  refused?: boolean;
  /** True when the attempt was cut short by the deadline (its detail says nothing new). */
  cut?: boolean;
  /** The loopback host that answered, when the strategy knows it. */
  host?: string;
  /** ops: what a log line told (named groups `url` / `port` of a `ready: { log }` pattern). */
  captured?: Captured;
}

/** A port or URL read from the service's own output, for servers that choose their own port. */
export interface Captured {
  url?: string;
  port?: number;
}

export interface ReadyProbe {
  /** What is checked, in words: "GET http://localhost:8000/health", "TCP :8000 on 127.0.0.1 or ::1". */
  describe: string;
  attempt(): Promise<Attempt>;
  /** Resolves when a new attempt may give a new answer (a log line was printed): ends the wait between attempts early. */
  changed?(): Promise<void>;
  dispose?(): void;
}
