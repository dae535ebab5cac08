import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // A second build directory lets a UI check run beside the main build (BERTH_DIST_DIR=.next-ui).
  distDir: process.env.BERTH_DIST_DIR || ".next",
  // PGlite ships a WASM build that must be loaded by Node, not bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pino", "@node-rs/argon2"],
  poweredByHeader: false,
  typedRoutes: false,
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
    ];
  },
};

export default nextConfig;
