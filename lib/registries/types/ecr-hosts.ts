/**
 * The "any account" placeholder URL of an ECR registry without a registry ID, in a module of its
 * own: pure functions with no imports, so client components (the registries list) can tell the
 * placeholder without pulling the type modules and zod into their bundle. Re-exported by `./ecr`.
 */

const ANY_ACCOUNT_URL = /^dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;

/** The region of an "any account" placeholder URL (`dkr.ecr.us-east-1.amazonaws.com` → `us-east-1`); null for any other URL. China's regions live under `.com.cn` only. */
export function ecrAnyAccountRegion(url: string): string | null {
  const match = ANY_ACCOUNT_URL.exec(url);
  if (!match || Boolean(match[2]) !== match[1]!.startsWith("cn-")) return null;
  return match[1]!;
}

/** Whether `url` is the "any account" placeholder `dkr.ecr.REGION.amazonaws.com[.cn]` (see `ecrAnyAccountHost`). */
export function isEcrAnyAccountUrl(url: string): boolean {
  return ecrAnyAccountRegion(url) !== null;
}
