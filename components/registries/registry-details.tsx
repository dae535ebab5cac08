import { Badge, Card } from "@/components/ui/card";
import type { RegistryDto } from "@/lib/registries/dto";
import { getRegistryType } from "@/lib/registries/types";
import { SavedRegistryTest } from "./saved-registry-test";
import { RegistryHost } from "./registry-host";
import { RegistryIcon } from "./registry-icon";
import { RelativeTime } from "./relative-time";

/** A registry as people without write access see it: every non-secret value, and which secrets are set. */
export function RegistryDetails({ registry, serverNow, companyId, canTest }: { registry: RegistryDto; serverNow: number; companyId: string; canTest: boolean }) {
  const type = getRegistryType(registry.type);
  const rows: { label: string; value: React.ReactNode }[] = [
    {
      label: "Registry type",
      value: (
        <span className="inline-flex items-center gap-2">
          <RegistryIcon type={registry.type} className="h-5 w-5" />
          {type?.label ?? registry.type}
        </span>
      ),
    },
    { label: "Host", value: <RegistryHost registry={registry} className="break-all" /> },
    { label: "State", value: <Badge tone={registry.isActive ? "success" : "neutral"}>{registry.isActive ? "Active" : "Inactive"}</Badge> },
    ...(type?.fields ?? []).map((field) => {
      const value = registry.credentials[field.name];
      return {
        label: field.label,
        value: field.secret ? (
          <Badge tone={registry.secretsSet.includes(field.name) ? "success" : "neutral"}>{registry.secretsSet.includes(field.name) ? "Set" : "Not set"}</Badge>
        ) : field.kind === "checkbox" ? (
          value === true ? "Yes" : "No"
        ) : typeof value === "string" && value && field.kind === "file" ? (
          <details className="group">
            <summary className="cursor-pointer text-xs font-medium text-brand-600 dark:text-brand-100">Show {field.label}</summary>
            <pre className="mt-2 max-h-64 overflow-auto rounded-md bg-zinc-50 p-2 font-mono text-xs whitespace-pre-wrap dark:bg-zinc-800/60">{value}</pre>
          </details>
        ) : typeof value === "string" && value ? (
          <span className="font-mono text-xs break-all">{value}</span>
        ) : (
          <span className="text-zinc-400">—</span>
        ),
      };
    }),
    { label: "Last test", value: <SavedRegistryTest companyId={companyId} registry={{ id: registry.id, name: registry.name, lastTest: registry.lastTest }} serverNow={serverNow} canTest={canTest} /> },
    { label: "Created by", value: registry.createdByEmail ?? "—" },
    { label: "Updated", value: <RelativeTime iso={registry.updatedAt} serverNow={serverNow} /> },
  ];
  return (
    <Card>
      <dl className="divide-y divide-zinc-100 dark:divide-zinc-800">
        {rows.map((row) => (
          <div key={row.label} className="grid gap-1 px-5 py-3 text-sm sm:grid-cols-[12rem_1fr] sm:gap-4">
            <dt className="text-zinc-500 dark:text-zinc-400">{row.label}</dt>
            <dd className="min-w-0">{row.value}</dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}
