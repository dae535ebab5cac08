/** Where a webhook may point, decided from the addresses alone: nothing here connects anywhere. */
import { describe, expect, it } from "vitest";
import { createOutboundPolicy } from "@/lib/registries/connection/policy";
import { checkWebhookUrl, webhookTargetIssue, webhookUrlFormIssue } from "./url-policy";

const strict = createOutboundPolicy({ allowCidrs: [] });
const loopbackAllowed = createOutboundPolicy({ allowCidrs: ["127.0.0.0/8"] });
const noLookup = async () => {
  throw new Error("no DNS in this test");
};

describe("webhook URL form", () => {
  it.each([
    ["ftp://example.com/x", /https/],
    ["not a url", /URL/],
    ["https://user:pw@example.com/x", /user name or password/],
    ["https://example.com/x#frag", /fragment/],
  ])("refuses %s", (url, message) => {
    expect(webhookUrlFormIssue(url)).toMatch(message);
  });
  it("accepts https and http URLs with paths and queries", () => {
    expect(webhookUrlFormIssue("https://hooks.example.com/services/T/B/X?x=1")).toBeUndefined();
    expect(webhookUrlFormIssue("http://127.0.0.1:8080/hook")).toBeUndefined();
  });
});

describe("webhook target classification", () => {
  it.each([
    ["10.0.0.5", "private"],
    ["192.168.1.10", "private"],
    ["169.254.169.254", "metadata"],
    ["127.0.0.1", "loopback"],
    ["100.64.0.1", "cgnat"],
    ["::ffff:10.0.0.1", "private"],
    ["0.0.0.0", "unspecified"],
    ["fd00::1", "private"],
  ])("refuses %s (%s) under the default policy", (address, reason) => {
    const issue = webhookTargetIssue("https:", "h", [strict.check(address)]);
    expect(issue).toContain(`${reason} address`);
    expect(issue).not.toContain(address);
  });

  it("accepts a public address over https", () => {
    expect(webhookTargetIssue("https:", "h", [strict.check("93.184.216.34")])).toBeUndefined();
  });

  it("refuses http:// to a public address: clear text only to allow-listed addresses", () => {
    expect(webhookTargetIssue("http:", "h", [strict.check("93.184.216.34")])).toMatch(/OUTBOUND_ALLOW_CIDRS/);
    expect(webhookTargetIssue("http:", "h", [loopbackAllowed.check("127.0.0.1")])).toBeUndefined();
  });

  it("checks literal addresses without DNS, and refuses what the policy refuses", async () => {
    expect(await checkWebhookUrl("https://10.1.2.3/hook", { policy: strict, lookup: noLookup })).toMatch(/private/);
    expect(await checkWebhookUrl("http://[::1]:9/hook", { policy: strict, lookup: noLookup })).toMatch(/loopback/);
    expect(await checkWebhookUrl("http://127.0.0.1:9/hook", { policy: loopbackAllowed, lookup: noLookup })).toBeUndefined();
  });

  it("checks every address a name resolves to", async () => {
    const lookup = async () => [{ address: "10.0.0.7", family: 4 }];
    const issue = await checkWebhookUrl("https://internal.example.test/hook", { policy: strict, lookup });
    // Refused by class, without telling what the internal name resolves to (issue 16).
    expect(issue).toBe("internal.example.test resolves to a private address, which the outbound policy refuses");
    expect(issue).not.toContain("10.0.0.7");
    expect(await checkWebhookUrl("https://gone.example.test/hook", { policy: strict, lookup: noLookup })).toMatch(/could not be resolved/);
  });
});
