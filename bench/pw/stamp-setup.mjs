// Runs after Playwright's webServer reported ready: records that moment for the readiness benchmark.
import { appendFileSync } from 'node:fs';
export default function stamp() {
  if (process.env.BENCH_STAMP_FILE) appendFileSync(process.env.BENCH_STAMP_FILE, `${performance.timeOrigin + performance.now()}\n`);
}
