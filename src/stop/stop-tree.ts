/** Stopping services' trees: the stop loop (stop-loop.ts) applied to service trees. */
import { stopAll, stopAllSync, type StopResult } from './stop-loop.js';
import { treeTarget, type ServiceTree } from './service-tree.js';

export type { StopResult };

/** Stops one service: its stopSignal, SIGKILL after its stopTimeout, until nothing of it is left. */
export async function stopTree(tree: ServiceTree, signalledMsAgo?: number): Promise<StopResult> {
  return (await stopAll([treeTarget(tree, signalledMsAgo)]))[0]!;
}

/** Stops several services at once, each with its own signal and timeout. */
export function stopTrees(trees: ServiceTree[]): Promise<StopResult[]> {
  return stopAll(trees.map((t) => treeTarget(t)));
}

/**
 * The synchronous form for an exiting runner (see stopAllSync). `signalledAt(tree)` tells, per tree,
 * how many ms ago its stop signal was sent already, if it was.
 */
export function stopTreesSync(
  trees: ServiceTree[],
  opts: { waitMs: number; then: 'kill' | 'leave'; signalledMsAgo?: (tree: ServiceTree) => number | undefined },
): StopResult[] {
  return stopAllSync(trees.map((t) => treeTarget(t, opts.signalledMsAgo?.(t))), opts);
}
