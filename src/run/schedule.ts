/** Order of start-up: every service starts as soon as what it dependsOn is ready; the rest in parallel. */
import type { ResolvedService } from '../config/resolve.js';

/** Dependencies before dependents (the schema has already ruled out cycles and unknown names). */
export function topoOrder(services: ResolvedService[]): ResolvedService[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const out: ResolvedService[] = [];
  const seen = new Set<string>();
  const visit = (s: ResolvedService) => {
    if (seen.has(s.name)) return;
    seen.add(s.name);
    for (const d of s.dependsOn) visit(byName.get(d)!);
    out.push(s);
  };
  services.forEach(visit);
  return out;
}

/**
 * Starts each service once its dependencies are ready. The first failure aborts the others (through
 * `abort`); resolves with every outcome once all have settled.
 */
export async function startInOrder(
  services: ResolvedService[],
  startOne: (svc: ResolvedService) => Promise<void>,
  abort: AbortController,
): Promise<Array<{ name: string; result: PromiseSettledResult<void> }>> {
  const readyBy = new Map<string, Promise<void>>();
  for (const svc of topoOrder(services)) {
    const p = (async () => {
      await Promise.all(svc.dependsOn.map((d) => readyBy.get(d)));
      abort.signal.throwIfAborted();
      await startOne(svc);
    })();
    p.catch(() => abort.abort()); // one failure stops the others from starting
    readyBy.set(svc.name, p);
  }
  const settled = await Promise.allSettled(readyBy.values());
  return [...readyBy.keys()].map((name, i) => ({ name, result: settled[i]! }));
}
