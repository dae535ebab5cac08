/**
 * "Another instance" for the ECR cache tests: a separate process on the same database (the
 * `DATABASE_URL` it is given) that asks for a saved registry's exchanged password the way the
 * server does, and prints `{cached, host, expiresAt}` (never the password) as one JSON line.
 *
 *   tsx --conditions=react-server lib/testing/ecr-exchange-child.ts REGISTRY_ID
 */
import { eq } from "drizzle-orm";
import { closeDb, getDb } from "@/db";
import { registries } from "@/db/schema";
import { outboundPolicyFromEnv } from "@/lib/registries/connection";
import { Deadline } from "@/lib/registries/connection/deadline";
import { defaultLookup } from "@/lib/registries/connection/transport";
import { exchangeForRegistry } from "@/lib/registries/exchange";
import { openRegistrySecrets } from "@/lib/registries/secrets";

async function main(registryId: string) {
  const db = await getDb();
  const [row] = await db.select().from(registries).where(eq(registries.id, registryId));
  if (!row) throw new Error(`no registry ${registryId}`);
  const plain = row.credentials as Record<string, string>;
  const secrets = openRegistrySecrets(row);
  const login = await exchangeForRegistry(
    row,
    {
      accessKeyId: plain.accessKeyId!,
      secretAccessKey: secrets.secretAccessKey!,
      ...(secrets.sessionToken ? { sessionToken: secrets.sessionToken } : {}),
      region: plain.region!,
      ...(plain.registryId ? { registryId: plain.registryId } : {}),
    },
    { policy: outboundPolicyFromEnv(), lookup: defaultLookup, deadline: new Deadline(10_000) },
  );
  process.stdout.write(`${JSON.stringify({ cached: login.cached, host: login.host, expiresAt: login.expiresAt.toISOString() })}\n`);
}

main(process.argv[2] ?? "")
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => closeDb());
