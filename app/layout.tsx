import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Berth", template: "%s · Berth" },
  description: "Container registry credentials, encrypted, tested and ready to pull.",
  icons: { icon: { url: "/favicon.svg", type: "image/svg+xml" } },
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#fafafa" },
    { media: "(prefers-color-scheme: dark)", color: "#09090b" },
  ],
};

/**
 * Zod probes whether it may compile validators with `new Function` the first time a form
 * validates; under our CSP (no 'unsafe-eval') the probe fails, harmlessly, but the browser reports
 * it as a violation. Its `jitless` setting skips the probe; it must be in place before any chunk
 * runs, so it is set by this inline script, which carries the answer's nonce like Next's own.
 */
const ZOD_JITLESS = "globalThis.__zod_globalConfig=Object.assign(globalThis.__zod_globalConfig||{},{jitless:true});";

/**
 * Every page is rendered per request (reading the headers does that): the Content-Security-Policy
 * of proxy.ts allows only scripts with that answer's nonce, which Next stamps on its scripts while
 * rendering, so a page prerendered at build time would carry no nonce and run no script.
 */
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  return (
    <html lang="en">
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: ZOD_JITLESS }} />
      </head>
      <body className="min-h-dvh font-sans">{children}</body>
    </html>
  );
}
