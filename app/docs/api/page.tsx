import type { Metadata } from "next";
import { ApiReference } from "./api-reference";

export const metadata: Metadata = {
  title: "API reference",
  description: "Berth's REST API: registries, Test Connection, pull secrets, tokens and members.",
};

/**
 * The readable reference of the REST API. The page itself is tiny (rendered per request, like
 * every page, for its script nonce); the renderer (Scalar, bundled, no CDN) is loaded in the
 * browser from this route's own chunk and reads the document from `/api/v1/openapi.json`, so no
 * other page carries its weight.
 */
export default function ApiDocsPage() {
  return (
    <>
      <noscript>
        <p className="p-6">
          The API reference needs JavaScript. The OpenAPI document itself is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.
        </p>
      </noscript>
      <ApiReference />
    </>
  );
}
