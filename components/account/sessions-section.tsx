"use client";

import { signOutEverywhereAction, signOutSessionAction } from "@/app/account/actions";
import { RelativeTime } from "@/components/registries/relative-time";
import { Button } from "@/components/ui/button";
import { Alert, Badge, Card } from "@/components/ui/card";
import { useAction } from "@/components/ui/use-action";
import type { SessionDto } from "@/lib/account/service";

/** The caller's active sessions, with "Sign out" for each and "Sign out everywhere". */
export function SessionsSection({ sessions, serverNow }: { sessions: SessionDto[]; serverNow: number }) {
  const { pending, error, run } = useAction();

  return (
    <Card>
      <section aria-labelledby="sessions-heading">
        <div className="flex flex-wrap items-start justify-between gap-3 p-5 pb-3">
          <div>
            <h2 id="sessions-heading" className="text-base font-semibold">
              Sessions
            </h2>
            <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">Where you are signed in. Sign out of any you do not recognise.</p>
          </div>
          <Button variant="danger" disabled={pending} onClick={() => run(() => signOutEverywhereAction())}>
            Sign out everywhere
          </Button>
        </div>
        {error ? (
          <div className="px-5 pb-3">
            <Alert>{error}</Alert>
          </div>
        ) : null}
        <ul aria-label="Active sessions" className="divide-y divide-zinc-100 border-t border-zinc-100 dark:divide-zinc-800 dark:border-zinc-800">
          {sessions.map((s) => (
            <li key={s.id} aria-label={`${s.browser}${s.current ? " (this session)" : ""}`} className="flex flex-wrap items-center justify-between gap-3 px-5 py-3">
              <div className="min-w-0">
                <p className="flex flex-wrap items-center gap-2 text-sm font-medium">
                  <span className="truncate">{s.browser}</span>
                  {s.current ? <Badge tone="success">This session</Badge> : null}
                </p>
                <dl className="mt-1 flex flex-wrap gap-x-4 gap-y-0.5 text-xs text-zinc-600 dark:text-zinc-400">
                  <div className="flex gap-1">
                    <dt>Address</dt>
                    <dd className="font-mono">{s.ip ?? "unknown"}</dd>
                  </div>
                  <div className="flex gap-1">
                    <dt>Signed in</dt>
                    <dd>
                      <RelativeTime iso={s.createdAt} serverNow={serverNow} />
                    </dd>
                  </div>
                  <div className="flex gap-1">
                    <dt>Last seen</dt>
                    <dd>
                      <RelativeTime iso={s.lastSeenAt} serverNow={serverNow} />
                    </dd>
                  </div>
                </dl>
              </div>
              <Button
                variant="secondary"
                size="sm"
                disabled={pending}
                aria-label={s.current ? "Sign out this session" : `Sign out ${s.browser} (${s.ip ?? "unknown address"})`}
                onClick={() => run(() => signOutSessionAction(s.id))}
              >
                Sign out
              </Button>
            </li>
          ))}
        </ul>
      </section>
    </Card>
  );
}
