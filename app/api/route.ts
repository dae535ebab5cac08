import { noSuchEndpoint } from "@/lib/http";

export const dynamic = "force-dynamic";

// `/api` itself and (next file) every `/api/…` path no route serves answer a problem+json 404,
// not Next's HTML page: API clients read every error the same way.
export { noSuchEndpoint as GET, noSuchEndpoint as HEAD, noSuchEndpoint as POST, noSuchEndpoint as PUT, noSuchEndpoint as PATCH, noSuchEndpoint as DELETE, noSuchEndpoint as OPTIONS };
