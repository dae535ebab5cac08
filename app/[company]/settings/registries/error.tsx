"use client";

import { PageLoadError } from "@/components/ui/page-load-error";

/** A registries page failed to render on the server: say so, and offer to try again. */
export default function RegistriesError({ error, retry }: { error: unknown; retry: () => void }) {
  return <PageLoadError title="Container Registries" reassurance="Your registries are safe." error={error} retry={retry} />;
}
