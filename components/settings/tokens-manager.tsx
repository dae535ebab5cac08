"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { createTokenAction, revokeTokenAction } from "@/app/[company]/settings/tokens/actions";
import { Button } from "@/components/ui/button";
import { Alert, Badge, Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input, Select, Textarea } from "@/components/ui/input";
import { OneTimeSecret } from "@/components/ui/one-time-secret";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { ApiTokenDto } from "@/lib/api-tokens/service";
import { RegistryLimitChips, RegistryLimitPicker, registryLimitError, type RegistryOption } from "./registry-limit";

const SCOPES = [
  { value: "registries:read", label: "Read registries", hint: "list, get, resolve, test saved" },
  { value: "registries:write", label: "Write registries", hint: "create, update, delete, validate" },
  { value: "registries:pull", label: "Pull secrets", hint: "owners and admins only" },
];

function when(iso: string | null) {
  return iso ? new Date(iso).toLocaleString() : "—";
}

export function TokensManager({ companySlug, companyId, tokens, registries }: { companySlug: string; companyId: string; tokens: ApiTokenDto[]; registries: RegistryOption[] }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<string | null>(null);
  const [limit, setLimit] = useState<string[]>([]);
  const names = Object.fromEntries(registries.map((r) => [r.id, r.name]));

  return (
    <div className="space-y-6">
      <Card>
        <form
          className="space-y-4 p-4"
          onSubmit={(e) => {
            e.preventDefault();
            const form = e.currentTarget;
            const f = new FormData(form);
            const days = Number(f.get("expires"));
            const input = {
              name: String(f.get("name") ?? ""),
              scopes: f.getAll("scopes").map(String),
              expiresAt: days > 0 ? new Date(Date.now() + days * 86_400_000).toISOString() : null,
              cidrAllowlist: String(f.get("cidrAllowlist") ?? "")
                .split(/[\s,]+/)
                .filter(Boolean),
              ...(limit.length > 0 ? { registryIds: limit } : {}),
            };
            setError(null);
            setFieldErrors({});
            setCreated(null);
            start(async () => {
              const r = await createTokenAction(companySlug, input);
              if (r.ok) {
                setCreated(r.data.token);
                form.reset();
                setLimit([]);
                router.refresh();
              } else {
                setError(r.error);
                setFieldErrors(r.fieldErrors);
              }
            });
          }}
        >
          <h2 className="text-sm font-semibold">New token</h2>
          {error ? <Alert>{error}</Alert> : null}
          <div className="grid gap-4 sm:grid-cols-2">
            <Field id="token-name" label="Token name" error={fieldErrors.name} required>
              <Input id="token-name" name="name" placeholder="ci-deploy" required />
            </Field>
            <Field id="token-expires" label="Expires">
              <Select id="token-expires" name="expires" defaultValue="90">
                <option value="7">in 7 days</option>
                <option value="30">in 30 days</option>
                <option value="90">in 90 days</option>
                <option value="365">in a year</option>
                <option value="0">never</option>
              </Select>
            </Field>
          </div>
          <fieldset>
            <legend className="text-sm font-medium">Scopes</legend>
            <div className="mt-2 grid gap-2 sm:grid-cols-3">
              {SCOPES.map((s) => (
                <label key={s.value} className="flex items-start gap-2 rounded-md p-2 text-sm ring-1 ring-zinc-200 dark:ring-zinc-800">
                  <input type="checkbox" name="scopes" value={s.value} defaultChecked={s.value === "registries:read"} className="mt-0.5 h-4 w-4" />
                  <span>
                    <span className="block font-medium">{s.label}</span>
                    <span className="block text-xs text-zinc-500">{s.hint}</span>
                  </span>
                </label>
              ))}
            </div>
            {fieldErrors.scopes ? <p className="mt-1 text-xs text-red-600">{fieldErrors.scopes}</p> : null}
          </fieldset>
          <Field id="token-cidrs" label="Allowed addresses" hint="Optional. IPv4/IPv6 addresses or CIDRs, one per line, at most 25. Empty = any address." error={Object.entries(fieldErrors).find(([k]) => k.startsWith("cidrAllowlist"))?.[1]}>
            <Textarea id="token-cidrs" name="cidrAllowlist" rows={2} placeholder={"203.0.113.0/24\n2001:db8::/32"} />
          </Field>
          <RegistryLimitPicker registries={registries} value={limit} onChange={setLimit} error={registryLimitError(fieldErrors)} />
          <Button type="submit" disabled={pending}>
            {pending ? "Creating…" : "Create token"}
          </Button>
        </form>
        {created ? (
          <div className="border-t border-zinc-100 p-4 dark:border-zinc-800">
            <OneTimeSecret what="token" value={created} testId="new-token">
              Try it: <code>curl -H &quot;Authorization: Bearer $TOKEN&quot; {typeof window !== "undefined" ? window.location.origin : ""}/api/v1/companies/{companyId}/registries</code>
            </OneTimeSecret>
          </div>
        ) : null}
      </Card>

      <Card>
        {tokens.length === 0 ? (
          <p className="p-6 text-center text-sm text-zinc-500">No tokens yet.</p>
        ) : (
          <Table caption="Your API tokens">
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead className="hidden md:table-cell">Scopes</TableHead>
                <TableHead className="hidden sm:table-cell">Last used</TableHead>
                <TableHead className="hidden lg:table-cell">Expires</TableHead>
                <TableHead>
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {tokens.map((t) => (
                <TableRow key={t.id} className={t.revokedAt ? "opacity-60" : undefined}>
                  <TableCell>
                    <div className="font-medium">{t.name}</div>
                    <code className="text-xs text-zinc-500">{t.prefix}…</code>
                    {t.cidrAllowlist.length > 0 ? <div className="text-xs text-zinc-500">from {t.cidrAllowlist.join(", ")}</div> : null}
                    <div className="mt-1">
                      <RegistryLimitChips registryIds={t.registryIds} names={names} />
                    </div>
                  </TableCell>
                  <TableCell className="hidden md:table-cell">
                    <div className="flex flex-wrap gap-1">
                      {t.scopes.map((s) => (
                        <Badge key={s}>{s}</Badge>
                      ))}
                    </div>
                  </TableCell>
                  <TableCell className="hidden text-xs sm:table-cell">{when(t.lastUsedAt)}</TableCell>
                  <TableCell className="hidden text-xs lg:table-cell">{t.expiresAt ? when(t.expiresAt) : "never"}</TableCell>
                  <TableCell className="text-right">
                    {t.revokedAt ? (
                      <Badge tone="error">Revoked</Badge>
                    ) : (
                      <Button
                        variant="ghost"
                        size="sm"
                        aria-label={`Revoke ${t.name}`}
                        disabled={pending}
                        onClick={() => {
                          if (!window.confirm(`Revoke the token "${t.name}"? Scripts using it stop working at once.`)) return;
                          start(async () => {
                            const r = await revokeTokenAction(companySlug, t.id);
                            if (!r.ok) setError(r.error);
                            router.refresh();
                          });
                        }}
                      >
                        Revoke
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Card>
    </div>
  );
}
