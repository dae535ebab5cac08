"use client";

import { ApiReferenceReact, type AnyApiReferenceConfiguration } from "@scalar/api-reference-react";
import "@scalar/api-reference-react/style.css";

/**
 * Scalar, configured to work offline and to talk to nothing but this server: no web fonts from
 * its CDN, no telemetry, no AI agent, no MCP or hosted-client buttons, no request proxy ("Test
 * Request" calls this origin directly, with the browser's session or a token typed in).
 */
const CONFIGURATION: AnyApiReferenceConfiguration = {
  url: "/api/v1/openapi.json",
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  mcp: { disabled: true },
  hideClientButton: true,
  showDeveloperTools: "never",
  documentDownloadType: "json",
  persistAuth: false,
  hideModels: false,
  defaultOpenFirstTag: true,
  operationTitleSource: "summary",
};

export default function ScalarReference() {
  return <ApiReferenceReact configuration={CONFIGURATION} />;
}
