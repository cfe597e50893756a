/** Platforms cleanroom can keep its promise on. */
import { CleanroomError } from '../errors.js';

/**
 * Throws on Windows: there are no process groups or POSIX signals to stop a service's tree with, so
 * every service would be left running. Refusing at once is better than leaking.
 */
export function assertSupportedPlatform(platform: NodeJS.Platform = process.platform): void {
  if (platform !== 'win32') return;
  throw new CleanroomError(
    'cleanroom: Windows is not supported yet: it cannot stop a service and everything the service started there, ' +
      'so nothing was started. Run the suite under WSL, in a Linux container, or on macOS/Linux.',
  );
}
