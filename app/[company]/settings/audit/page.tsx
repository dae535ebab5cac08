import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { Alert, Card, PageHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { listAuditEvents } from "@/lib/audit-log";
import { listMembers } from "@/lib/companies/service";
import { can } from "@/lib/context";
import { companyPageContext } from "@/lib/page-auth";

export const metadata = { title: "Audit log" };
export const dynamic = "force-dynamic";

const PAGE = 50;

export default async function AuditPage({ params, searchParams }: { params: Promise<{ company: string }>; searchParams: Promise<Record<string, string | undefined>> }) {
  const { company } = await params;
  const sp = await searchParams;
  const ctx = await companyPageContext(company);
  if (!can(ctx, "company:admin")) {
    return (
      <>
        <PageHeader title="Audit log" />
        <Alert tone="info" role="note">Only owners and admins can read the audit log.</Alert>
      </>
    );
  }
  const action = sp.action?.trim() || undefined;
  const actor = sp.actor && /^[0-9a-f-]{36}$/i.test(sp.actor) ? sp.actor : undefined;
  const before = sp.before && /^\d{1,18}$/.test(sp.before) ? Number(sp.before) : undefined;
  const [page, members] = await Promise.all([listAuditEvents(ctx, { action, actorUserId: actor, limit: PAGE, before }), listMembers(ctx)]);
  const qs = (extra: Record<string, string | undefined>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries({ action, actor, ...extra })) if (v) p.set(k, v);
    return `?${p.toString()}`;
  };
  return (
    <>
      <PageHeader title="Audit log" description="Every change to registries, members and tokens, and every sign-in. Secrets are never recorded." />
      <Card className="mb-4">
        <form method="get" className="grid gap-3 p-4 sm:grid-cols-[1fr_1fr_auto] sm:items-end">
          <Field id="filter-action" label="Action">
            <Input id="filter-action" name="action" defaultValue={action} placeholder="e.g. token.created" />
          </Field>
          <Field id="filter-actor" label="Actor">
            <Select id="filter-actor" name="actor" defaultValue={actor ?? ""}>
              <option value="">Anyone</option>
              {members.map((m) => (
                <option key={m.userId} value={m.userId}>
                  {m.email}
                </option>
              ))}
            </Select>
          </Field>
          <button type="submit" className={buttonClass("secondary")}>
            Filter
          </button>
        </form>
      </Card>
      <Card>
        {page.items.length === 0 ? (
          <p className="p-6 text-center text-sm text-zinc-500">No events{action || actor ? " match these filters" : " yet"}.</p>
        ) : (
          <Table caption="Audit events, newest first">
            <TableHeader>
              <TableRow>
                <TableHead>When</TableHead>
                <TableHead>Action</TableHead>
                <TableHead className="hidden sm:table-cell">Actor</TableHead>
                <TableHead className="hidden md:table-cell">Details</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {page.items.map((e) => (
                <TableRow key={e.id}>
                  <TableCell className="whitespace-nowrap text-xs text-zinc-500">
                    <time dateTime={e.createdAt}>{new Date(e.createdAt).toISOString().replace("T", " ").slice(0, 19)} UTC</time>
                  </TableCell>
                  <TableCell className="font-mono text-xs">{e.action}</TableCell>
                  <TableCell className="hidden text-xs sm:table-cell">
                    {e.actor.email ?? "—"}
                    {e.actor.tokenId ? <span className="text-zinc-500"> (API token)</span> : null}
                  </TableCell>
                  <TableCell className="hidden max-w-xs truncate font-mono text-xs text-zinc-500 md:table-cell" title={JSON.stringify(e.metadata)}>
                    {JSON.stringify(e.metadata)}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Card>
      <div className="mt-4 flex justify-end gap-2">
        {before ? (
          <Link href={qs({})} className={buttonClass("secondary", "sm")}>
            Newest
          </Link>
        ) : null}
        {page.nextCursor ? (
          <Link href={qs({ before: String(page.nextCursor) })} className={buttonClass("secondary", "sm")}>
            Older
          </Link>
        ) : null}
      </div>
    </>
  );
}
