"use client";

import { Button } from "./button";
import { Card, PageHeader } from "./card";

/** A settings page failed to render on the server: say so, reassure about the data, and offer to try again. */
export function PageLoadError({ title, reassurance, error, retry }: { title: string; reassurance: string; error: unknown; retry: () => void }) {
  const digest = error instanceof Error && "digest" in error && typeof error.digest === "string" ? error.digest : null;
  return (
    <>
      <PageHeader title={title} />
      <Card className="p-6">
        <div role="alert" className="space-y-3">
          <h2 className="text-base font-semibold">This page could not be loaded</h2>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Something went wrong on the server. {reassurance} Try again in a moment.
            {digest ? <> If it keeps happening, quote error <code className="text-xs">{digest}</code>.</> : null}
          </p>
          <Button variant="secondary" onClick={() => retry()}>
            Try again
          </Button>
        </div>
      </Card>
    </>
  );
}
