import { noSuchEndpoint } from "@/lib/http";

export const dynamic = "force-dynamic";

// Every `/api/…` path no route serves (the routes above win: Next tries catch-alls last) is a
// problem+json 404, not Next's HTML page. Named [companyId] because Next allows one dynamic name per level.
export { noSuchEndpoint as GET, noSuchEndpoint as HEAD, noSuchEndpoint as POST, noSuchEndpoint as PUT, noSuchEndpoint as PATCH, noSuchEndpoint as DELETE, noSuchEndpoint as OPTIONS };
