/**
 * ops: a server that chooses its own port (`ready: { log: /listening on (?<url>http:\S+)/ }`): the
 * captured port or URL becomes the service's, once the listener on it is proven to be the service's
 * own (never a stranger answering there).
 */
import type { ResolvedService } from '../config/resolve.js';
import { ServiceError } from '../errors.js';
import type { ServiceTree } from '../stop/service-tree.js';
import { checkOwnership } from './ownership.js';
import type { Captured } from './probe.js';

function portOfUrl(url: string): number | undefined {
  try {
    const u = new URL(url);
    return Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  } catch {
    return undefined;
  }
}

/** The service with the captured port, and the URL to hand to tests. Throws when a stranger holds that port. */
export async function applyCaptured(svc: ResolvedService, captured: Captured, tree: ServiceTree): Promise<{ svc: ResolvedService; url?: string }> {
  const port = captured.port ?? (captured.url ? portOfUrl(captured.url) : undefined);
  if (port === undefined) return { svc, ...(captured.url && { url: captured.url }) };
  const own = await checkOwnership(port, tree);
  if (!own.ok && !('notListening' in own)) {
    throw new ServiceError(svc.name, `said it listens on port ${port}, but ${own.holders} answers there`, `Something outside this service holds the port; stop it (cleanroom sweep ${port}).`);
  }
  return { svc: { ...svc, port }, url: captured.url ?? `http://localhost:${port}` };
}
