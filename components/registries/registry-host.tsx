/**
 * A registry's host as people read it. An Amazon ECR registry saved without a registry ID has the
 * placeholder URL `dkr.ecr.REGION.amazonaws.com` until its first test tells the real host: that
 * reads "Any account · REGION" with a note, not as an address. Client-safe and server-safe: it
 * needs only the tiny `ecr-hosts` module, never the type modules (the list's bundle stays small).
 */
import { ecrAnyAccountRegion } from "@/lib/registries/types/ecr-hosts";
import { BreakableHost } from "./list/breakable-host";

export const LEARNED_HOST_NOTE = "The registry's address is learned at the first test";

/** The region of an ECR registry whose URL is still the "any account" placeholder; null for every other registry. */
export function anyAccountRegion(registry: { type: string; url: string }): string | null {
  return registry.type === "ecr" ? ecrAnyAccountRegion(registry.url) : null;
}

/** "Any account · us-east-1". */
export function anyAccountLabel(region: string): string {
  return `Any account · ${region}`;
}

/** "Any account · us-east-1", wrapping only after the dot, never inside the region. */
function AnyAccount({ region, className }: { region: string; className: string }) {
  const [first, second] = anyAccountLabel(region).split(" · ");
  return (
    <span className={className}>
      <span className="whitespace-nowrap">{first} ·</span> <span className="whitespace-nowrap">{second}</span>
    </span>
  );
}

/**
 * The host of a registry: `http://` first for plain HTTP, wrapping at dots and slashes when
 * `breakable`; the ECR placeholder as "Any account · REGION" with the note below (`note="below"`,
 * for table cells and detail rows) or after it in brackets (`note="inline"`, inside a sentence).
 */
export function RegistryHost({
  registry,
  note = "below",
  breakable = false,
  className = "",
}: {
  registry: { type: string; url: string; plainHttp?: boolean };
  note?: "below" | "inline";
  breakable?: boolean;
  className?: string;
}) {
  const region = anyAccountRegion(registry);
  if (region === null) {
    const host = `${registry.plainHttp ? "http://" : ""}${registry.url}`;
    return <span className={`font-mono text-xs ${className}`}>{breakable ? <BreakableHost host={host} /> : host}</span>;
  }
  if (note === "inline") {
    return (
      <span className={className}>
        <AnyAccount region={region} className="font-medium" /> <span className="text-zinc-500 dark:text-zinc-400">({LEARNED_HOST_NOTE.replace(/^T/, "t")})</span>
      </span>
    );
  }
  return (
    <span className={`flex min-w-0 flex-col ${className}`}>
      <AnyAccount region={region} className="text-xs font-medium" />
      <span className="text-[11px] leading-snug text-zinc-500 dark:text-zinc-400">{LEARNED_HOST_NOTE}</span>
    </span>
  );
}
