/** Who used a registry, as recorded with each use. Client-safe. */

export const USE_CLIENTS = ["api", "helper", "kubelet", "ui"] as const;
export type UseClient = (typeof USE_CLIENTS)[number];
export type UseOperation = "resolve" | "pull-secret";

/**
 * The client helpers name themselves in `User-Agent` (`docker-credential-berth/VERSION`,
 * `berth-credential-provider/VERSION`); anything else is a plain API client.
 */
export function clientFromUserAgent(userAgent: string | null | undefined): UseClient {
  const ua = (userAgent ?? "").trim();
  if (/^docker-credential-berth\//i.test(ua)) return "helper";
  if (/^berth-credential-provider\//i.test(ua)) return "kubelet";
  return "api";
}
