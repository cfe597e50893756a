// 4. `kill -9` of the runner → every service process gone (the watchdog's job): bench/kill9-latency.mjs.
import { killNineLatency } from '../kill9-latency.mjs';
import { freePort } from '../lib/proc.mjs';

export default async function kill9({ rounds }) {
  const samples = await killNineLatency(rounds(20, 2), freePort);
  return [{ id: 'kill9', label: 'runner SIGKILL → every service process gone (2 services, 6 processes)', samples, target: { max: 100, text: '≤ 100 ms' } }];
}
