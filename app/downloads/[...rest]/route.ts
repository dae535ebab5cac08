import { noSuchEndpoint } from "@/lib/http";

export const dynamic = "force-dynamic";

// A /downloads/… path no file is served at is a problem+json 404, like an unknown /api path
// (the client helpers read errors the same way), not Next's HTML page.
export { noSuchEndpoint as GET, noSuchEndpoint as HEAD, noSuchEndpoint as POST, noSuchEndpoint as PUT, noSuchEndpoint as PATCH, noSuchEndpoint as DELETE, noSuchEndpoint as OPTIONS };
