import { Badge } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { ImportAnswer } from "@/lib/registries/docker-config";
import { useRegistryTypes } from "../type-summaries";

type Outcome = "created" | "skipped" | "conflict";

interface PreviewRow {
  key: string;
  outcome: Outcome;
  type?: string;
  name?: string;
  url?: string;
  reason?: string;
}

const BADGE: Record<Outcome, { tone: "success" | "neutral" | "warning"; text: (dryRun: boolean) => string }> = {
  created: { tone: "success", text: (dryRun) => (dryRun ? "Will be created" : "Created") },
  skipped: { tone: "neutral", text: () => "Skipped" },
  conflict: { tone: "warning", text: () => "Conflict" },
};

/** The rows of an import answer, one per key: created first, then skipped, then conflicts. */
export function previewRows(answer: ImportAnswer): PreviewRow[] {
  return [
    ...answer.created.map((c) => ({ key: c.key, outcome: "created" as const, type: c.registry.type, name: c.registry.name, url: c.registry.url })),
    ...answer.skipped.map((s) => ({ key: s.key, outcome: "skipped" as const, type: s.type, url: s.url, reason: s.reason })),
    ...answer.conflicts.map((c) => ({ key: c.key, outcome: "conflict" as const, type: c.type, url: c.url, reason: c.reason })),
  ];
}

/** What an import did or, in a dry run, would do: one row per key of the config, with the reason for skips and conflicts. */
export function ImportPreview({ answer }: { answer: ImportAnswer }) {
  const { of } = useRegistryTypes();
  const rows = previewRows(answer);
  return (
    <div className="mt-4 max-h-72 overflow-y-auto rounded-md ring-1 ring-zinc-200 dark:ring-zinc-800">
      <Table caption={answer.dryRun ? "Import preview" : "Import result"} className="table-fixed">
        <TableHeader className="sticky top-0 bg-zinc-50 dark:bg-zinc-900">
          <TableRow>
            <TableHead className="w-[40%] px-3 sm:w-[30%]">Key</TableHead>
            <TableHead className="hidden w-[22%] px-3 sm:table-cell">Outcome</TableHead>
            <TableHead className="px-3">Registry</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((row, i) => (
            <TableRow key={`${row.outcome}-${row.key}-${i}`} className="align-top">
              <TableCell className="px-3">
                <span className="block font-mono text-xs break-all">{row.key}</span>
                {/* Narrow screens: the outcome under the key, its own column hidden. */}
                <span className="mt-1 block whitespace-nowrap sm:hidden">
                  <Badge tone={BADGE[row.outcome].tone}>{BADGE[row.outcome].text(answer.dryRun)}</Badge>
                </span>
              </TableCell>
              <TableCell className="hidden px-3 sm:table-cell">
                <Badge tone={BADGE[row.outcome].tone}>{BADGE[row.outcome].text(answer.dryRun)}</Badge>
              </TableCell>
              <TableCell className="px-3 text-xs break-words">
                {row.name ? <span className="block font-medium text-zinc-900 dark:text-zinc-100">{row.name}</span> : null}
                {row.type ? (
                  <span className="block text-zinc-600 dark:text-zinc-400">
                    {of(row.type)?.label ?? row.type}
                    {row.url && row.url !== row.name ? <> · {row.url}</> : null}
                  </span>
                ) : null}
                {row.reason ? <span className="mt-1 block text-zinc-600 dark:text-zinc-400">{row.reason}</span> : null}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

/** "3 registries will be created, 1 skipped, 1 in conflict" (or "were created" after the import). */
export function importSummary(answer: ImportAnswer): string {
  const n = answer.created.length;
  const head = `${n} ${n === 1 ? "registry" : "registries"} ${answer.dryRun ? "will be" : n === 1 ? "was" : "were"} created`;
  const rest = [answer.skipped.length ? `${answer.skipped.length} skipped` : "", answer.conflicts.length ? `${answer.conflicts.length} in conflict` : ""].filter(Boolean);
  return [head, ...rest].join(", ");
}
