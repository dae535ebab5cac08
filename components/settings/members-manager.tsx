"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { createPasswordResetLinkAction, inviteMemberAction, removeMemberAction, revokeInviteAction, updateMemberAction } from "@/app/[company]/settings/members/actions";
import { Button } from "@/components/ui/button";
import { Alert, Badge, Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { useAction } from "@/components/ui/use-action";
import type { InviteDto, MemberDto } from "@/lib/companies/service";

const ROLES = ["owner", "admin", "member", "viewer"] as const;

export function MembersManager({ companySlug, members, invites, me, myRole }: { companySlug: string; members: MemberDto[]; invites: InviteDto[]; me: string; myRole: string }) {
  const router = useRouter();
  const { pending, start, error, setError, run } = useAction();
  const [link, setLink] = useState<string | null>(null);
  const [resetLink, setResetLink] = useState<{ email: string; url: string } | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const roles = myRole === "owner" ? ROLES : ROLES.filter((r) => r !== "owner");

  return (
    <div className="space-y-6">
      {error ? <Alert>{error}</Alert> : null}
      <Card>
        <form
          className="grid gap-3 p-4 sm:grid-cols-[1fr_10rem_auto_auto] sm:items-end"
          onSubmit={(e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            const form = e.currentTarget;
            setLink(null);
            setFieldErrors({});
            start(async () => {
              const r = await inviteMemberAction(companySlug, { email: String(f.get("email")), role: String(f.get("role")), manageRegistries: f.get("manageRegistries") === "on" });
              if (r.ok) {
                setLink(`${window.location.origin}${r.data.invitePath}`);
                form.reset();
                router.refresh();
              } else {
                setError(r.error);
                setFieldErrors(r.fieldErrors);
              }
            });
          }}
        >
          <Field id="invite-email" label="Email" error={fieldErrors.email}>
            <Input id="invite-email" name="email" type="email" required placeholder="teammate@example.com" />
          </Field>
          <Field id="invite-role" label="Role">
            <Select id="invite-role" name="role" defaultValue="member">
              {roles.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </Select>
          </Field>
          <label className="flex h-9 items-center gap-2 text-sm">
            <input type="checkbox" name="manageRegistries" className="h-4 w-4 rounded border-zinc-300" /> Manage registries
          </label>
          <Button type="submit" disabled={pending}>
            Invite
          </Button>
        </form>
        {link ? (
          <div className="border-t border-zinc-100 p-4 dark:border-zinc-800">
            <Alert tone="success" role="status">
              <p className="font-medium">Invitation created. Send this link to them; it is shown only once and works once within 7 days.</p>
              <code className="mt-2 block break-all rounded bg-white/70 p-2 text-xs dark:bg-black/30" data-testid="invite-link">
                {link}
              </code>
            </Alert>
          </div>
        ) : null}
      </Card>

      {resetLink ? (
        <Alert tone="success" role="status">
          <p className="font-medium">Password reset link for {resetLink.email}. Send it to them; it is shown only once and works once within an hour.</p>
          <code className="mt-2 block break-all rounded bg-white/70 p-2 text-xs dark:bg-black/30" data-testid="reset-link">
            {resetLink.url}
          </code>
        </Alert>
      ) : null}
      <Card>
        <Table caption="Members">
          <TableHeader>
            <TableRow>
              <TableHead>Member</TableHead>
              <TableHead>Role</TableHead>
              <TableHead className="hidden sm:table-cell">Registries</TableHead>
              <TableHead>
                <span className="sr-only">Actions</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {members.map((m) => (
              <TableRow key={m.userId}>
                <TableCell>
                  <div className="font-medium">{m.email}</div>
                  {m.name ? <div className="text-xs text-zinc-500">{m.name}</div> : null}
                </TableCell>
                <TableCell>
                  <Select
                    aria-label={`Role of ${m.email}`}
                    value={m.role}
                    disabled={pending || (m.role === "owner" && myRole !== "owner")}
                    onChange={(e) => run(() => updateMemberAction(companySlug, m.userId, { role: e.target.value }))}
                    className="w-28"
                  >
                    {(m.role === "owner" ? ROLES : roles).map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </Select>
                </TableCell>
                <TableCell className="hidden sm:table-cell">
                  {m.role === "member" ? (
                    <label className="flex items-center gap-2">
                      <input
                        type="checkbox"
                        checked={m.manageRegistries}
                        disabled={pending}
                        onChange={(e) => run(() => updateMemberAction(companySlug, m.userId, { manageRegistries: e.target.checked }))}
                        className="h-4 w-4 rounded border-zinc-300"
                      />
                      Manage registries
                    </label>
                  ) : (
                    <span className="text-xs text-zinc-500">{m.role === "viewer" ? "Read only" : "Full access"}</span>
                  )}
                </TableCell>
                <TableCell className="text-right">
                  {m.userId === me ? (
                    <Badge>You</Badge>
                  ) : (
                    <>
                      {m.role !== "owner" || myRole === "owner" ? (
                        <Button
                          variant="ghost"
                          size="sm"
                          disabled={pending}
                          aria-label={`Reset password of ${m.email}`}
                          onClick={() => {
                            setError(null);
                            setResetLink(null);
                            start(async () => {
                              const r = await createPasswordResetLinkAction(companySlug, m.userId);
                              if (r.ok) setResetLink({ email: m.email, url: `${window.location.origin}${r.data.path}` });
                              else setError(r.error);
                            });
                          }}
                        >
                          Reset password
                        </Button>
                      ) : null}
                      <Button
                        variant="ghost"
                        size="sm"
                        disabled={pending}
                        aria-label={`Remove ${m.email}`}
                        onClick={() => {
                          if (window.confirm(`Remove ${m.email} from the company? Their API tokens stop working.`)) run(() => removeMemberAction(companySlug, m.userId));
                        }}
                      >
                        Remove
                      </Button>
                    </>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Card>

      {invites.length > 0 ? (
        <Card>
          <h2 className="px-4 pt-3 text-sm font-semibold">Pending invitations</h2>
          <ul className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {invites.map((i) => (
              <li key={i.id} className="flex items-center justify-between gap-3 px-4 py-2 text-sm">
                <span>
                  {i.email} <Badge>{i.role}</Badge>{" "}
                  <span className="text-xs text-zinc-500">expires {new Date(i.expiresAt).toLocaleDateString()}</span>
                </span>
                <Button variant="ghost" size="sm" disabled={pending} onClick={() => run(() => revokeInviteAction(companySlug, i.id))}>
                  Revoke
                </Button>
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
    </div>
  );
}
