"use client";

import { useId } from "react";
import { CopyButton } from "@/components/ui/copy-button";

/** A titled, copyable code block; `where` names the file or place it goes. */
export function Snippet({ title, value, where, testId }: { title: string; value: string; where?: React.ReactNode; testId: string }) {
  const id = useId();
  return (
    <div className="min-w-0 space-y-1.5">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h4 id={id} className="text-sm font-medium">
          {title}
          {where ? <span className="ml-1 font-normal text-zinc-500 dark:text-zinc-400">{where}</span> : null}
        </h4>
        <CopyButton value={value} label={`Copy snippet: ${title}`} />
      </div>
      <pre
        aria-labelledby={id}
        data-testid={testId}
        tabIndex={0}
        className="max-h-96 overflow-auto rounded-md bg-zinc-950 p-3 font-mono text-xs leading-relaxed text-zinc-100 focus-visible:outline-2 focus-visible:outline-brand-500"
      >
        <code>{value}</code>
      </pre>
    </div>
  );
}

/** One numbered integration, as a region with its heading. */
export function IntegrationSection({ id, title, intro, children }: { id: string; title: string; intro: React.ReactNode; children: React.ReactNode }) {
  return (
    <section aria-labelledby={id} className="space-y-4 p-5">
      <div>
        <h3 id={id} className="text-base font-semibold">
          {title}
        </h3>
        <div className="mt-1 max-w-prose text-sm text-zinc-600 dark:text-zinc-400">{intro}</div>
      </div>
      {children}
    </section>
  );
}

export function Note({ children }: { children: React.ReactNode }) {
  return <p className="max-w-prose rounded-md bg-zinc-50 p-3 text-xs text-zinc-600 ring-1 ring-zinc-200 dark:bg-zinc-900 dark:text-zinc-400 dark:ring-zinc-800">{children}</p>;
}
