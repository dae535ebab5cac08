"use server";

import { revalidatePath } from "next/cache";
import { runAction } from "@/lib/action-result";
import { createWebhook, deleteWebhook, listDeliveries, sendTestEvent, updateWebhook } from "@/lib/notifications/webhooks";
import { companyActionContext } from "@/lib/page-auth";

const page = (slug: string) => `/${slug}/settings/notifications`;

export async function createWebhookAction(companySlug: string, input: unknown) {
  return runAction(async () => {
    const created = await createWebhook(await companyActionContext(companySlug), input);
    revalidatePath(page(companySlug));
    return created;
  });
}

export async function updateWebhookAction(companySlug: string, id: string, input: unknown) {
  return runAction(async () => {
    const updated = await updateWebhook(await companyActionContext(companySlug), id, input);
    revalidatePath(page(companySlug));
    return updated;
  });
}

export async function deleteWebhookAction(companySlug: string, id: string) {
  return runAction(async () => {
    await deleteWebhook(await companyActionContext(companySlug), id);
    revalidatePath(page(companySlug));
  });
}

export async function sendTestEventAction(companySlug: string, id: string) {
  return runAction(async () => sendTestEvent(await companyActionContext(companySlug), id));
}

export async function listDeliveriesAction(companySlug: string, id: string, pageToken?: string) {
  return runAction(async () => listDeliveries(await companyActionContext(companySlug), id, { limit: 20, pageToken }));
}
