import { ExternalLinkIcon } from "@/components/ui/icons";
import { RegistryIcon } from "../registry-icon";

/** What the chosen registry type is and where its credentials come from, with a link to the provider's documentation. */
export function TypeHelp({ typeKey, label, help, docsUrl }: { typeKey: string; label: string; help: string; docsUrl: string }) {
  return (
    <div className="flex gap-3 rounded-lg bg-zinc-50 p-3.5 text-sm ring-1 ring-zinc-200 ring-inset dark:bg-zinc-800/40 dark:ring-zinc-800">
      <RegistryIcon type={typeKey} className="mt-0.5 h-5 w-5 max-sm:hidden" />
      <div className="min-w-0 space-y-1.5">
        <p className="text-zinc-700 dark:text-zinc-300">{help}</p>
        <a
          href={docsUrl}
          target="_blank"
          rel="noopener noreferrer"
          className="inline-flex items-center gap-1 text-xs font-medium text-brand-600 hover:underline dark:text-brand-100"
        >
          {label} documentation
          <ExternalLinkIcon />
          <span className="sr-only">(opens in a new tab)</span>
        </a>
      </div>
    </div>
  );
}
