import { beforeEach, describe, expect, it, vi } from "vitest";
import { apiRequest } from "@/lib/testing/auth";
import { setUpSeededTeam } from "@/lib/testing/identity";

// Server actions read the request's cookies through next/headers; here, the test's request.
const current = vi.hoisted(() => ({ headers: new Headers() }));
vi.mock("next/headers", () => ({ headers: async () => current.headers, cookies: async () => ({ get: () => undefined }) }));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));
vi.mock("@/lib/auth/auth", () => ({ signOut: async () => {}, signIn: async () => {} }));

const { createPasswordResetLinkAction, removeMemberAction, revokeInviteAction, updateMemberAction } = await import("@/app/[company]/settings/members/actions");
const { revokeTokenAction } = await import("@/app/[company]/settings/tokens/actions");
const { signOutSessionAction } = await import("@/app/account/actions");

const s = setUpSeededTeam();
beforeEach(() => {
  current.headers = apiRequest("POST", "/", { cookie: s.team.users.owner.cookie }).headers;
});

const MALFORMED = ["not-a-uuid", "1", "' or 1=1 --", "00000000-0000-0000-0000-00000000000g", "x".repeat(300)];

describe("server actions given a malformed id answer 404, like the API", () => {
  it.each(MALFORMED)("%s", async (id) => {
    const slug = s.team.company.slug;
    const results = {
      updateMember: await updateMemberAction(slug, id, { role: "viewer" }),
      removeMember: await removeMemberAction(slug, id),
      revokeInvite: await revokeInviteAction(slug, id),
      revokeToken: await revokeTokenAction(slug, id),
      resetLink: await createPasswordResetLinkAction(slug, id),
      signOutSession: await signOutSessionAction(id),
    };
    for (const [name, r] of Object.entries(results)) {
      expect(r, name).toMatchObject({ ok: false, status: 404, error: expect.stringMatching(/not found$/) });
    }
  });

  it("a well-formed id of nothing is 404 too, and a real one works", async () => {
    const slug = s.team.company.slug;
    const unknown = crypto.randomUUID();
    expect(await updateMemberAction(slug, unknown, { role: "viewer" })).toMatchObject({ ok: false, status: 404 });
    expect(await revokeInviteAction(slug, unknown)).toMatchObject({ ok: false, status: 404 });
    expect(await updateMemberAction(slug, s.team.users.viewer.id, { role: "member" })).toMatchObject({ ok: true, data: { role: "member" } });
  });
});
