/**
 * "A server that dies right after a change": creates a registry through the service (on the
 * database named by DATABASE_URL, or the PGlite data directory BERTH_DATA_DIR), which commits the
 * change with its outbox rows and starts sending. Prints `{registryId}` once the transaction has
 * committed, then waits to be killed. Test code only.
 *
 *   tsx --conditions=react-server lib/testing/outbox-child.ts COMPANY_ID USER_ID
 */
import { getDb } from "@/db";
import type { RequestContext } from "@/lib/context";
import { createRegistry } from "@/lib/registries/service";

async function main(companyId: string, userId: string) {
  await getDb();
  const ctx: RequestContext = { userId, email: "outbox@example.test", companyId, companySlug: "x", companyName: "x", role: "owner", manageRegistries: true, via: "session", ip: null, requestId: "outbox-child" };
  const dto = await createRegistry(ctx, { name: "Outbox child", type: "custom", credentials: { url: "outbox.example.com", token: "outbox-child-token-1" } });
  process.stdout.write(`${JSON.stringify({ registryId: dto.id })}\n`);
  await new Promise(() => undefined); // until SIGKILL
}

main(process.argv[2] ?? "", process.argv[3] ?? "").catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  process.exit(1);
});
