"use client";

import { PageLoadError } from "@/components/ui/page-load-error";

/** The Integrations page failed to render on the server: say so, and offer to try again. */
export default function IntegrationsError({ error, retry }: { error: unknown; retry: () => void }) {
  return <PageLoadError title="Integrations" reassurance="Nothing was changed." error={error} retry={retry} />;
}
