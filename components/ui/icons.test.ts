import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { REGISTRY_TYPES } from "@/lib/registries/schemas";
import { REGISTRY_TYPE_ICON_IDS, RegistryTypeIcon } from "./icons";

const tile = (icon: string | undefined) => renderToStaticMarkup(createElement(RegistryTypeIcon, { icon }));
const SERVER = tile("server");

describe("registry type icons", () => {
  it("draws an unknown or missing icon id as the generic server tile", () => {
    for (const id of ["no-such-icon", "constructor", "__proto__", undefined]) {
      expect(tile(id).replace(/ data-icon="[^"]*"/, "")).toBe(SERVER.replace(' data-icon="server"', ""));
    }
  });

  it("has a mark of its own for every icon id the catalogue names", () => {
    for (const type of REGISTRY_TYPES) {
      expect(REGISTRY_TYPE_ICON_IDS, `${type.key} names icon "${type.icon}"`).toContain(type.icon);
    }
  });

  it("has distinct marks for DigitalOcean and Oracle Cloud", () => {
    const marks = ["digitalocean", "oracle", "server"].map((id) => tile(id).replace(/ data-icon="[^"]*"/, ""));
    expect(new Set(marks).size).toBe(3);
    expect(tile("digitalocean")).toContain('data-icon="digitalocean"');
  });
});
