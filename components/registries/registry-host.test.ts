import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { LEARNED_HOST_NOTE, RegistryHost, anyAccountRegion } from "./registry-host";

const text = (html: string) => html.replace(/<[^>]+>/g, "").replace(/&#x27;/g, "'");

describe("a registry's host as shown", () => {
  it("reads 'Any account · REGION' with the note for an ECR placeholder, never the placeholder address", () => {
    for (const note of ["below", "inline"] as const) {
      const html = renderToStaticMarkup(createElement(RegistryHost, { registry: { type: "ecr", url: "dkr.ecr.us-east-1.amazonaws.com" }, note }));
      expect(text(html)).toContain("Any account · us-east-1");
      expect(text(html).toLowerCase()).toContain(LEARNED_HOST_NOTE.toLowerCase());
      expect(html).not.toContain("amazonaws");
    }
    expect(anyAccountRegion({ type: "ecr", url: "dkr.ecr.cn-north-1.amazonaws.com.cn" })).toBe("cn-north-1");
  });

  it("shows a learned ECR host, and every other type's URL, as the address", () => {
    const learned = renderToStaticMarkup(createElement(RegistryHost, { registry: { type: "ecr", url: "123456789012.dkr.ecr.us-east-1.amazonaws.com" } }));
    expect(text(learned)).toBe("123456789012.dkr.ecr.us-east-1.amazonaws.com");
    // Only an ECR registry has the placeholder: the same text as another type's URL is an address.
    expect(anyAccountRegion({ type: "custom", url: "dkr.ecr.us-east-1.amazonaws.com" })).toBeNull();
    const plain = renderToStaticMarkup(createElement(RegistryHost, { registry: { type: "custom", url: "127.0.0.1:5000", plainHttp: true }, breakable: true }));
    expect(text(plain)).toBe("http://127.0.0.1:5000");
  });
});
