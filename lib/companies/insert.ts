import "server-only";
import type { Db } from "@/db";
import { companies, memberships } from "@/db/schema";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { RESERVED_SLUGS, companyNameField, slugify } from "@/lib/auth/schemas";
import { isUniqueViolation } from "@/lib/db-errors";
import { AppError, validationError, zodErrors } from "@/lib/errors";
import type { CompanyDto } from "./dto";

/**
 * Inserts a company with the user as its owner, below the service layer: it takes a database
 * handle (or the caller's transaction, as the first-run setup needs) and checks no permission.
 * Callers with a signed-in user use `createCompany` in ./service.ts.
 */
export async function insertCompanyWithOwner(db: Db, ownerUserId: string, rawName: string, actor: AuditActor): Promise<CompanyDto> {
  const parsed = companyNameField.safeParse(rawName);
  if (!parsed.success) throw validationError(zodErrors(parsed.error));
  const name = parsed.data;
  const slug = slugify(name);
  if (RESERVED_SLUGS.has(slug)) throw validationError([{ path: "companyName", message: `"${slug}" is reserved; choose another name` }]);
  return db.transaction(async (tx) => {
    let company;
    try {
      [company] = await tx.insert(companies).values({ slug, name, createdBy: ownerUserId }).returning();
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError("conflict", `A company with the address "${slug}" already exists; choose another name`, { errors: [{ path: "companyName", message: `"${slug}" is taken` }] });
      throw err;
    }
    await tx.insert(memberships).values({ companyId: company!.id, userId: ownerUserId, role: "owner", manageRegistries: true });
    await recordAudit(tx as unknown as Db, { ...actor, userId: ownerUserId }, { companyId: company!.id, action: "company.created", targetType: "company", targetId: company!.id, metadata: { slug, name } });
    return { id: company!.id, slug, name, role: "owner" as const };
  });
}
