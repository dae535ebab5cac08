"use client";

import { PageLoadError } from "@/components/ui/page-load-error";

/** The Notifications page failed to render on the server: say so, and offer to try again. */
export default function NotificationsError({ error, retry }: { error: unknown; retry: () => void }) {
  return <PageLoadError title="Notifications" reassurance="Your webhooks are unchanged." error={error} retry={retry} />;
}
