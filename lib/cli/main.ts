/**
 * `npm run berth -- …`: user create, user reset-password, token create, keys rotate, db migrate.
 * Results on stdout (a token alone), messages on stderr, non-zero exit on any error. It uses the
 * app's own services and refuses an embedded data directory that a running server holds.
 */
process.env.BERTH_CLI = "1";

const USAGE = `Usage: npm run berth -- <command>

  user create --email E --company SLUG --role owner|admin|member|viewer [--name N] [--manage-registries]
        password from stdin; an owner may name a company that does not exist yet (it is created)
  user reset-password --email E          password from stdin (12+ characters, not a common one); signs the user out everywhere
  token create --company SLUG --email E --scopes registries:read[,registries:write,registries:pull]
        [--expires 30d|12h|never] [--name N] [--allow CIDR[,CIDR]] [--registries ID[,ID]]
        prints the token alone on stdout; --registries limits it to those registries of the company
  keys rotate                             re-encrypts every stored secret with the active key
  db migrate                              applies pending migrations
`;

class UsageError extends Error {}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write("Password: ");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

function parseExpiry(raw: string | undefined): string | null {
  if (!raw || raw === "never") return null;
  const m = /^(\d+)([dhm])$/.exec(raw);
  if (!m) throw new UsageError(`--expires must look like 30d, 12h, 90m or never (got "${raw}")`);
  const ms = Number(m[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[m[2] as "d" | "h" | "m"];
  return new Date(Date.now() + ms).toISOString();
}

async function main(argv: string[]): Promise<number> {
  const { parseArgs } = await import("node:util");
  const [group, verb, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: "string" },
      company: { type: "string" },
      role: { type: "string" },
      name: { type: "string" },
      scopes: { type: "string" },
      expires: { type: "string" },
      allow: { type: "string" },
      registries: { type: "string" },
      "manage-registries": { type: "boolean" },
    },
    strict: true,
  });
  const need = (k: keyof typeof values) => {
    const v = values[k];
    if (typeof v !== "string" || v === "") throw new UsageError(`--${k} is required`);
    return v;
  };
  const cmd = `${group ?? ""} ${verb ?? ""}`.trim();
  const known = ["user create", "user reset-password", "token create", "keys rotate", "db migrate"];
  if (!known.includes(cmd)) throw new UsageError(cmd ? `Unknown command "${cmd}"` : "No command given");

  const { parseEnv } = await import("@/lib/env");
  parseEnv(process.env); // a bad variable stops here, named
  const { closeDb, getDb } = await import("@/db");
  const { migrateDatabase } = await import("@/db/migrate");
  const { serverSecrets } = await import("@/lib/crypto");
  try {
    const db = await getDb(); // embedded: takes the data-dir lock or refuses
    const secrets = serverSecrets();
    await migrateDatabase();
    const actor = { requestId: "cli" };

    if (cmd === "db migrate") {
      process.stderr.write("Migrations are up to date.\n");
      return 0;
    }
    if (cmd === "keys rotate") {
      const { rotateKeys } = await import("@/lib/crypto/rotate");
      const { rotated } = await rotateKeys(db, secrets.keyring);
      process.stderr.write(`Re-encrypted ${rotated} registr${rotated === 1 ? "y" : "ies"} with key "${secrets.keyring.active.id}".\n`);
      return 0;
    }
    const { companies, memberships } = await import("@/db/schema");
    const { and, eq } = await import("drizzle-orm");
    const { findUserByEmail, insertUser, setPassword } = await import("@/lib/auth/users");
    const email = need("email");

    if (cmd === "user reset-password") {
      const user = await findUserByEmail(db, email);
      if (!user) throw new Error(`No user with email ${email}`);
      // The same rules as every new password (length, common passwords); every session ends.
      const { sessionsEnded } = await setPassword(db, user.id, await readStdin(), null);
      const { recordUserAudit } = await import("@/lib/auth/user-audit");
      await recordUserAudit(db, actor, user.id, "user.password_reset", { via: "cli", sessionsEnded });
      process.stderr.write(`Password of ${user.email} changed; existing sessions are signed out.\n`);
      return 0;
    }

    const slug = need("company").toLowerCase();
    const [company] = await db.select().from(companies).where(eq(companies.slug, slug));

    if (cmd === "user create") {
      const { ROLE_VALUES } = await import("@/lib/auth/schemas");
      const role = need("role");
      if (!(ROLE_VALUES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${ROLE_VALUES.join(", ")}`);
      if (!company && role !== "owner") throw new Error(`No company with slug "${slug}" (only an owner can be created with a new company)`);
      const password = await readStdin();
      let user = await findUserByEmail(db, email);
      if (!user) {
        const created = await insertUser(db, { email, password, name: values.name });
        user = (await findUserByEmail(db, created.email))!;
      }
      if (!company) {
        // The operator acts as the new owner, who is signed in nowhere: their context is built here.
        const { createCompany } = await import("@/lib/companies/service");
        await createCompany({ userId: user.id, email: user.email, ip: null, ...actor }, slug);
        process.stderr.write(`Created company "${slug}" with ${user.email} as owner.\n`);
        return 0;
      }
      await db
        .insert(memberships)
        .values({ companyId: company.id, userId: user.id, role: role as "owner", manageRegistries: !!values["manage-registries"] })
        .onConflictDoUpdate({ target: [memberships.companyId, memberships.userId], set: { role: role as "owner", manageRegistries: !!values["manage-registries"] } });
      const { recordAudit } = await import("@/lib/audit");
      await recordAudit(db, actor, { companyId: company.id, action: "member.added", targetType: "user", targetId: user.id, metadata: { role, via: "cli" } });
      process.stderr.write(`${user.email} is ${role} of ${company.slug}.\n`);
      return 0;
    }

    // token create
    if (!company) throw new Error(`No company with slug "${slug}"`);
    const user = await findUserByEmail(db, email);
    const [member] = user
      ? await db.select().from(memberships).where(and(eq(memberships.companyId, company.id), eq(memberships.userId, user.id)))
      : [];
    if (!user || !member) throw new Error(`${email} is not a member of ${slug}`);
    const { issueApiToken } = await import("@/lib/api-tokens/service");
    const { hasTwoFactor } = await import("@/lib/auth/second-factor");
    // The operator is not subject to a company's two-factor policy, but the audit log says when it was bypassed.
    const bypassed = company.requireTwoFactor && !(await hasTwoFactor(db, user.id));
    const { token } = await issueApiToken(
      db,
      { companyId: company.id, userId: user.id },
      {
        name: values.name ?? `cli-${new Date().toISOString().slice(0, 10)}`,
        scopes: need("scopes").split(",").map((s) => s.trim()).filter(Boolean),
        expiresAt: parseExpiry(values.expires),
        cidrAllowlist: values.allow ? values.allow.split(",").map((s) => s.trim()) : [],
        ...(values.registries !== undefined ? { registryIds: values.registries.split(",").map((s) => s.trim()).filter(Boolean) } : {}),
      },
      { ...actor, userId: user.id },
      { via: "cli", ...(bypassed ? { twoFactorPolicyBypassed: true } : {}) },
    );
    if (bypassed) process.stderr.write(`Note: ${slug} requires two-factor and ${email} has none; the token was created by the operator and audited.\n`);
    process.stdout.write(token + "\n");
    return 0;
  } finally {
    await closeDb();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError || (err as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
      process.exit(2);
    }
    const e = err as { name?: string; message?: string; errors?: { path: string; message: string }[] };
    const details = e.errors?.map((f) => `\n  ${f.path}: ${f.message}`).join("") ?? "";
    process.stderr.write(`Error: ${e.message ?? String(err)}${details}\n`);
    process.exit(1);
  },
);
