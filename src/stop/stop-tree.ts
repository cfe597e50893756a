/** Stopping services' trees: the stop loop (stop-loop.ts) applied to service trees. */
import { stopAll, stopAllSync, type StopResult } from './stop-loop.js';
import { treeTarget, type ServiceTree, type SignalledBefore } from './service-tree.js';

export type { StopResult };

/** Stops one service: its stopSignal, SIGKILL after its stopTimeout, until nothing of it is left. */
export async function stopTree(tree: ServiceTree): Promise<StopResult> {
  return (await stopAll([treeTarget(tree)]))[0]!;
}

/**
 * Stops several services at once, each with its own signal and timeout. `signalledBefore(tree)`: what
 * a signal guard already sent that tree (it is not sent twice).
 */
export function stopTrees(trees: ServiceTree[], signalledBefore?: (tree: ServiceTree) => SignalledBefore | undefined): Promise<StopResult[]> {
  return stopAll(trees.map((t) => treeTarget(t, signalledBefore?.(t))));
}

/** The synchronous form for an exiting runner (see stopAllSync). */
export function stopTreesSync(
  trees: ServiceTree[],
  opts: { waitMs: number; then: 'kill' | 'leave'; signalledBefore?: (tree: ServiceTree) => SignalledBefore | undefined },
): StopResult[] {
  return stopAllSync(trees.map((t) => treeTarget(t, opts.signalledBefore?.(t))), opts);
}
