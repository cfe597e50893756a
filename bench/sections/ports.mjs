// 5. The final port pass (what stop() does for each service port): with the port free, one connect
// probe per loopback address (isPortFree); with one holder left, clearPort() until the port is free.
import { NODE } from '../lib/env.mjs';
import { forget, freePort, groupTree, signalGroup, spawnGroup, waitGone } from '../lib/proc.mjs';

const { isPortFree } = await import('../../dist/ports/probe.js');
const { clearPort } = await import('../../dist/ports/clear-port.js');

const HOLDER = "const s=require('http').createServer((q,r)=>r.end('x'));s.listen(Number(process.argv[1]),()=>console.log('up'));process.on('SIGTERM',()=>process.exit(0))";

export default async function ports({ rounds }) {
  const free = [];
  for (let i = 0; i < rounds(50, 5); i++) {
    const port = await freePort();
    const t0 = performance.now();
    if (!(await isPortFree(port))) throw new Error(`port ${port} is not free`);
    free.push(performance.now() - t0);
  }
  const held = [];
  for (let i = 0; i < rounds(9, 1); i++) {
    const port = await freePort();
    const holder = spawnGroup(NODE, ['-e', HOLDER, String(port)], { stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise((resolve) => holder.stdout.once('data', resolve));
    const tree = groupTree(holder.pid);
    const t0 = performance.now();
    const r = await clearPort(port, { graceMs: 1000, log: () => {}, why: 'is needed by the benchmark' });
    held.push(performance.now() - t0);
    if (!r.free) throw new Error(`clearPort did not free ${port}: ${r.refused ?? ''}`);
    signalGroup(holder.pid, 'SIGKILL');
    await waitGone(tree);
    forget(holder.pid);
  }
  return [
    { id: 'ports.free', label: 'final port pass, port free (connect probe on 127.0.0.1 and ::1)', samples: free, target: { max: 2, text: '≤ 2 ms' } },
    { id: 'ports.holder', label: 'final port pass, one holder (find it, SIGTERM its tree, until free)', samples: held },
  ];
}
