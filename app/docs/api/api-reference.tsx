"use client";

import dynamic from "next/dynamic";

/** Loads the renderer in the browser only, in its own chunk (it is large and needs `window`). */
const ScalarReference = dynamic(() => import("./scalar-reference"), {
  ssr: false,
  loading: () => (
    <p role="status" className="p-6 text-sm text-zinc-500">
      Loading the API reference…
    </p>
  ),
});

export function ApiReference() {
  return <ScalarReference />;
}
