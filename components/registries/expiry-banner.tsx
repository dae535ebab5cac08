import Link from "next/link";
import { Alert } from "@/components/ui/card";
import type { ExpirySummary } from "@/lib/registries/expiry/summary";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The registries page's warning: registries expired or expiring within 14 days, and API tokens expiring within 14 days. */
export function ExpiryBanner({ summary, tokensHref }: { summary: ExpirySummary; tokensHref: string }) {
  if (summary.total === 0) return null;
  const parts: React.ReactNode[] = [];
  if (summary.registriesExpired > 0) parts.push(`${plural(summary.registriesExpired, "registry has", "registries have")} expired credentials`);
  if (summary.registriesExpiring > 0) parts.push(`${plural(summary.registriesExpiring, "registry's credentials expire", "registries' credentials expire")} within 14 days`);
  if (summary.tokensExpiring > 0) {
    parts.push(
      <Link key="tokens" href={tokensHref} className="font-medium underline">
        {plural(summary.tokensExpiring, "API token expires", "API tokens expire")} within 14 days
      </Link>,
    );
  }
  return (
    <div className="mb-4" data-testid="expiry-banner">
      <Alert tone={summary.registriesExpired > 0 ? "error" : "warning"} role="status">
        <p className="font-medium">Credentials need attention</p>
        <ul className="mt-1 list-disc pl-5 text-sm">
          {parts.map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ul>
      </Alert>
    </div>
  );
}
