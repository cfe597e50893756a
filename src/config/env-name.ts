/** `my-api` → `MY_API`, for CLEANROOM_<NAME>_URL. */
export function envNameOf(service: string): string {
  return service.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}
