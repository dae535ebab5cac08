import { Badge, Card } from "@/components/ui/card";
import type { RegistryUseDto } from "@/lib/registries/usage";
import { RelativeTime } from "./relative-time";

const CLIENT_LABELS: Record<RegistryUseDto["client"], string> = {
  api: "API",
  helper: "Credential helper",
  kubelet: "Kubelet provider",
  ui: "Dashboard",
};

/** The registry's last few uses: when, what, by whom (a user or a token's name), from which client. */
export function RecentUses({ uses, serverNow }: { uses: RegistryUseDto[]; serverNow: number }) {
  return (
    <Card className="mt-8">
      <section aria-labelledby="recent-uses-title" className="p-5">
        <h2 id="recent-uses-title" className="text-base font-semibold">
          Recent uses
        </h2>
        {uses.length === 0 ? (
          <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
            Not used yet. Resolving an image or fetching a pull secret with these credentials shows up here, and a registry used in the last 30 days asks
            for a second confirmation before it is deleted.
          </p>
        ) : (
          <ol className="mt-3 divide-y divide-zinc-100 dark:divide-zinc-800">
            {uses.map((use) => (
              <li key={use.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2 text-sm">
                <RelativeTime iso={use.usedAt} serverNow={serverNow} />
                <span>{use.operation === "resolve" ? "Image resolved" : "Pull secret issued"}</span>
                {use.subject ? <code className="font-mono text-xs break-all text-zinc-600 dark:text-zinc-400">{use.subject}</code> : null}
                <span className="text-zinc-600 dark:text-zinc-400">
                  by {use.token ? `token “${use.token.name}”` : (use.user?.email ?? "a removed user")}
                </span>
                <Badge tone="neutral">{CLIENT_LABELS[use.client]}</Badge>
              </li>
            ))}
          </ol>
        )}
      </section>
    </Card>
  );
}
