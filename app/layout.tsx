import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
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
 * Every page is rendered per request (`connection()`): the Content-Security-Policy of proxy.ts
 * allows only scripts with that answer's nonce, which Next stamps on its scripts while rendering,
 * so a page prerendered at build time would carry no nonce and run no script.
 */
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  await connection();
  return (
    <html lang="en">
      <body className="min-h-dvh font-sans">{children}</body>
    </html>
  );
}
