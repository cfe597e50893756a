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

export function describeHolders(holders: PortHolder[]): string {
  if (holders.length === 0) return 'a process cleanroom cannot see (another user\'s, or no /proc on this OS)';
  return holders.map((h) => `pid ${h.pid} (${h.command || '?'})`).join(', ');
}
