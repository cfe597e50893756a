/** Who holds a port, described for messages and for the kill policy. */
import { commandOf, portHoldersAsync, processInfo } from '../os/process-table.js';

export interface PortHolder {
  pid: number;
  pgid: number;
  startTime: number;
  command: string;
}

export async function findPortHolders(port: number): Promise<PortHolder[]> {
  const pids = await portHoldersAsync(port);
  return pids.map((pid) => {
    const info = processInfo(pid);
    return { pid, pgid: info?.pgid ?? pid, startTime: info?.startTime ?? Number.NaN, command: commandOf(pid) };
  });
}

/**
 * What answers on a port whose holders cleanroom could not find. Only what is known: something
 * answers, and no visible process holds it.
 */
export function unseenHolder(port: number): string {
  return (
    `something still answers on :${port}, but no process on this machine that cleanroom can see holds it ` +
    `(another user's process when not root, another container or network namespace, or a process table cleanroom cannot read)`
  );
}

export function describeHolders(holders: PortHolder[]): string {
  if (holders.length === 0) return 'a process cleanroom cannot see (another user\'s, or no /proc on this OS)';
  return holders.map((h) => `pid ${h.pid} (${h.command || '?'})`).join(', ');
}
