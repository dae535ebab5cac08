"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { revokeTokensWithoutTwoFactorAction, setTwoFactorPolicyAction } from "@/app/[company]/settings/security/actions";
import { Button } from "@/components/ui/button";
import { Alert, Card } from "@/components/ui/card";
import { Switch } from "@/components/ui/switch";
import type { TwoFactorPolicyDto } from "@/lib/two-factor/policy";

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "never");

/** The "require two-factor" policy, who lacks it, and their API tokens (which the policy does not stop). */
export function TwoFactorPolicy({ companySlug, companyName, policy }: { companySlug: string; companyName: string; policy: TwoFactorPolicyDto }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const act = (fn: () => Promise<{ ok: true; data: unknown } | { ok: false; error: string }>) => {
    setError(null);
    setNotice(null);
    start(async () => {
      const r = await fn();
      if (!r.ok) setError(r.error);
      else {
        const revoked = (r.data as { revoked?: number } | undefined)?.revoked;
        if (revoked !== undefined) setNotice(`${revoked} token${revoked === 1 ? "" : "s"} revoked.`);
        router.refresh();
      }
    });
  };

  return (
    <div className="space-y-6">
      {error ? <Alert>{error}</Alert> : null}
      {notice ? <Alert tone="success" role="status">{notice}</Alert> : null}
      <Card className="p-5">
        <div className="flex items-start justify-between gap-4">
          <div>
            <h2 id="require-2fa-label" className="text-base font-semibold">
              Require two-factor authentication
            </h2>
            <p className="mt-1 max-w-prose text-sm text-zinc-600 dark:text-zinc-400">
              Members without two-factor can do nothing in {companyName} but set it up on their <Link href="/account" className="text-brand-600 underline">account page</Link>. You need it on your own account first.
            </p>
          </div>
          <Switch
            aria-labelledby="require-2fa-label"
            checked={policy.required}
            disabled={pending}
            onCheckedChange={(on: boolean) => act(() => setTwoFactorPolicyAction(companySlug, on))}
          />
        </div>
        <div className="mt-4 border-t border-zinc-100 pt-4 dark:border-zinc-800">
          <h3 className="text-sm font-semibold">Members without two-factor ({policy.membersWithout.length})</h3>
          {policy.membersWithout.length === 0 ? (
            <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">Everyone has two-factor on.</p>
          ) : (
            <ul className="mt-2 space-y-1 text-sm">
              {policy.membersWithout.map((m) => (
                <li key={m.userId} className="flex justify-between gap-2">
                  <span className="truncate">{m.email}</span>
                  <span className="text-xs text-zinc-500">{m.role}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </Card>

      <Card className="p-5">
        <section aria-labelledby="tokens-without-title" className="space-y-3">
          <h2 id="tokens-without-title" className="text-base font-semibold">
            API tokens of members without two-factor ({policy.tokensWithout.length})
          </h2>
          <p className="max-w-prose text-sm text-zinc-600 dark:text-zinc-400">
            The policy stops sign-in sessions, not API tokens: tokens created before keep working until they are revoked. New tokens need two-factor while the policy is on.
          </p>
          {policy.tokensWithout.length === 0 ? (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">None.</p>
          ) : (
            <>
              <div className="overflow-x-auto">
                <table className="w-full text-left text-sm">
                  <thead className="text-xs uppercase tracking-wide text-zinc-500">
                    <tr>
                      <th className="py-1.5 pr-3 font-medium">Member</th>
                      <th className="py-1.5 pr-3 font-medium">Token</th>
                      <th className="py-1.5 pr-3 font-medium">Created</th>
                      <th className="py-1.5 font-medium">Last used</th>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
                    {policy.tokensWithout.map((t) => (
                      <tr key={t.id}>
                        <td className="py-1.5 pr-3">{t.userEmail}</td>
                        <td className="py-1.5 pr-3">
                          {t.name} <code className="text-xs text-zinc-500">{t.prefix}…</code>
                        </td>
                        <td className="py-1.5 pr-3 whitespace-nowrap">{when(t.createdAt)}</td>
                        <td className="py-1.5 whitespace-nowrap">{when(t.lastUsedAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Button
                variant="danger"
                disabled={pending}
                onClick={() => {
                  if (window.confirm(`Revoke ${policy.tokensWithout.length} token(s)? Scripts using them stop working.`)) act(() => revokeTokensWithoutTwoFactorAction(companySlug));
                }}
              >
                Revoke all tokens of members without two-factor
              </Button>
            </>
          )}
        </section>
      </Card>
    </div>
  );
}
