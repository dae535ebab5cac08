import { companyRoute } from "@/lib/api-route";
import { json, otherMethods } from "@/lib/http";
import { sendTestEvent } from "@/lib/notifications/webhooks";

export const dynamic = "force-dynamic";

/** Delivers a `ping` event now and answers with the delivery (its status says how it went). The body is ignored. */
export const POST = companyRoute<{ companyId: string; id: string }>({ permission: "company:admin" }, async (_req, { ctx, params }) => json(await sendTestEvent(ctx, params.id)));

export const { GET, PUT, PATCH, DELETE, HEAD } = otherMethods("OPTIONS, POST");
