import type { RegistryPage } from "@/lib/registries/dto";

/**
 * The body of the benchmark's reference routes: a 50-row registry page with the shape and field
 * lengths of a real one, built once. The reference routes exist only in the benchmark build
 * (BERTH_BENCH_ROUTES=1 at build time adds the `.bench.ts` page extension), never in production.
 */
export const REFERENCE_PAGE: RegistryPage = (() => {
  const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
  const at = (n: number) => new Date(Date.UTC(2026, 0, 1) - n * 1000).toISOString();
  return {
    items: Array.from({ length: 50 }, (_, i) => ({
      id: uuid(i + 1),
      companyIdRef: uuid(900_001),
      type: "custom" as const,
      name: `registry-${String(i + 1).padStart(5, "0")}`,
      url: `reg-${String(i + 1).padStart(5, "0")}.example.com`,
      plainHttp: false,
      isActive: true,
      isDeleted: false,
      credentials: { username: `user-${String(i + 1).padStart(5, "0")}` },
      secretsSet: ["password"],
      createdAt: at(i),
      updatedAt: at(i),
      createdBy: uuid(900_002),
      createdByEmail: "admin@example.com",
      modifiedBy: uuid(900_002),
      lastUsedAt: null,
      expiresAt: null,
      expiry: { source: null, checkedAt: null, detectedExpiresAt: null, message: null },
      lastExchangeAt: null,
      lastTest: null,
      scheduledChecks: true,
      health: { status: "not_checked" as const, since: null, lastCheckedAt: null },
      version: 1,
      warnings: [],
    })),
    limit: 50,
    nextPageToken: Buffer.from(JSON.stringify([at(49).replace("Z", "000Z"), uuid(50)])).toString("base64url"),
  };
})();
