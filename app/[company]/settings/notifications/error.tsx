"use client";

import { Button } from "@/components/ui/button";
import { Card, PageHeader } from "@/components/ui/card";

/** The Notifications page failed to render on the server: say so, and offer to try again. */
export default function NotificationsError({ retry }: { error: unknown; retry: () => void }) {
  return (
    <>
      <PageHeader title="Notifications" />
      <Card className="p-6">
        <div role="alert" className="space-y-3">
          <h2 className="text-base font-semibold">This page could not be loaded</h2>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">Something went wrong on the server. Your webhooks are unchanged; try again in a moment.</p>
          <Button variant="secondary" onClick={() => retry()}>
            Try again
          </Button>
        </div>
      </Card>
    </>
  );
}
