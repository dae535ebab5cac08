"use client";

import { useState } from "react";
import { Button } from "./button";
import { Alert } from "./card";

/** A secret shown once (a new API token, a webhook's signing secret), with a copy button and a note under it. */
export function OneTimeSecret({ what, value, testId, onCopied, children }: { what: string; value: string; testId: string; onCopied?: () => void; children?: React.ReactNode }) {
  const [copied, setCopied] = useState(false);
  return (
    <Alert tone="success" role="status">
      <p className="font-medium">Copy the {what} now: it will not be shown again.</p>
      <div className="mt-2 flex flex-col gap-2 sm:flex-row sm:items-center">
        <code className="block flex-1 break-all rounded bg-white/70 p-2 text-xs dark:bg-black/30" data-testid={testId}>
          {value}
        </code>
        <Button
          variant="secondary"
          size="sm"
          onClick={async () => {
            await navigator.clipboard?.writeText(value).catch(() => undefined);
            setCopied(true);
            onCopied?.();
          }}
        >
          {copied ? "Copied" : "Copy"}
        </Button>
      </div>
      {children ? <p className="mt-2 text-xs">{children}</p> : null}
    </Alert>
  );
}
