/** A page whose feature has not landed yet, marked as such so nobody mistakes it for a bug. */
export function Placeholder({ title, issue, children }: { title: string; issue: string; children?: React.ReactNode }) {
  return (
    <section aria-labelledby="placeholder-title" className="rounded-xl border border-dashed border-zinc-300 bg-white p-8 dark:border-zinc-700 dark:bg-zinc-900">
      <p className="text-xs font-semibold uppercase tracking-wide text-amber-600 dark:text-amber-400">Coming soon</p>
      <h1 id="placeholder-title" className="mt-1 text-xl font-semibold">{title}</h1>
      <p className="mt-2 max-w-prose text-sm text-zinc-600 dark:text-zinc-400">
        This page is a placeholder: it arrives with {issue}.
      </p>
      {children}
    </section>
  );
}
