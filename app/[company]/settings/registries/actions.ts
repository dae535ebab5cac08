"use server";

import { revalidatePath } from "next/cache";
import { runAction } from "@/lib/action-result";
import { companyActionContext } from "@/lib/page-auth";
import { createRegistry, deleteRegistry, replaceRegistry, setRegistryActive } from "@/lib/registries/service";

/** Thin server actions over the registry service: each answers {ok, data} or {ok: false, error, fieldErrors}. */
const refresh = (slug: string) => revalidatePath(`/${slug}/settings/registries`);

export async function createRegistryAction(companySlug: string, body: unknown) {
  return runAction(async () => {
    const dto = await createRegistry(await companyActionContext(companySlug), body);
    refresh(companySlug);
    return dto;
  });
}

export async function updateRegistryAction(companySlug: string, id: string, body: unknown, ifMatch?: string) {
  return runAction(async () => {
    const dto = await replaceRegistry(await companyActionContext(companySlug), id, body, ifMatch);
    refresh(companySlug);
    return dto;
  });
}

export async function setRegistryActiveAction(companySlug: string, id: string, isActive: boolean) {
  return runAction(async () => {
    const dto = await setRegistryActive(await companyActionContext(companySlug), id, isActive);
    refresh(companySlug);
    return dto;
  });
}

export async function deleteRegistryAction(companySlug: string, id: string, force = false) {
  return runAction(async () => {
    await deleteRegistry(await companyActionContext(companySlug), id, { force });
    refresh(companySlug);
  });
}
