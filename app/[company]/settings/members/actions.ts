"use server";

import { revalidatePath } from "next/cache";
import { runAction } from "@/lib/action-result";
import { createPasswordResetLink } from "@/lib/account/password-resets";
import { createInvite, removeMember, revokeInvite, updateMember } from "@/lib/companies/service";
import { companyActionContext } from "@/lib/page-auth";

export async function inviteMemberAction(companySlug: string, input: { email: string; role: string; manageRegistries: boolean }) {
  return runAction(async () => {
    const ctx = await companyActionContext(companySlug);
    const { invite, token } = await createInvite(ctx, input);
    revalidatePath(`/${companySlug}/settings/members`);
    return { invite, invitePath: `/invite/${token}` };
  });
}

export async function updateMemberAction(companySlug: string, userId: string, patch: { role?: string; manageRegistries?: boolean }) {
  return runAction(async () => {
    const member = await updateMember(await companyActionContext(companySlug), userId, patch);
    revalidatePath(`/${companySlug}/settings/members`);
    return member;
  });
}

export async function removeMemberAction(companySlug: string, userId: string) {
  return runAction(async () => {
    await removeMember(await companyActionContext(companySlug), userId);
    revalidatePath(`/${companySlug}/settings/members`);
  });
}

export async function revokeInviteAction(companySlug: string, inviteId: string) {
  return runAction(async () => {
    await revokeInvite(await companyActionContext(companySlug), inviteId);
    revalidatePath(`/${companySlug}/settings/members`);
  });
}

/** A one-time password-reset link for a member (shown once; valid for an hour). */
export async function createPasswordResetLinkAction(companySlug: string, userId: string) {
  return runAction(async () => createPasswordResetLink(await companyActionContext(companySlug), userId));
}
