"use client";

import { useId, useState } from "react";
import { createPullTokenAction } from "@/app/[company]/settings/integrations/actions";
import { RegistryLimitPicker, registryLimitError, type RegistryOption } from "@/components/settings/registry-limit";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/card";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";

const EXPIRY_DAYS = [
  { value: "30", label: "in 30 days" },
  { value: "90", label: "in 90 days" },
  { value: "365", label: "in a year" },
  { value: "0", label: "never" },
];

/**
 * "Create a pull token": a `registries:pull` API token of the signed-in user, made by the same
 * service as Settings › API tokens. The token goes to `onCreated` (the page's React state) and
 * nowhere else: the page shows it once and fills the snippets with it for this page view.
 */
export function CreatePullToken({ companySlug, options, onCreated }: { companySlug: string; options: RegistryOption[]; onCreated: (token: string, name: string) => void }) {
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [name, setName] = useState("pull-token");
  const [expires, setExpires] = useState("90");
  const [limit, setLimit] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const ids = { name: useId(), expires: useId() };

  async function submit() {
    setPending(true);
    setError(null);
    setFieldErrors({});
    const days = Number(expires);
    const result = await createPullTokenAction(companySlug, {
      name,
      expiresAt: days > 0 ? new Date(Date.now() + days * 86_400_000).toISOString() : null,
      ...(limit.length > 0 ? { registryIds: limit } : {}),
    });
    setPending(false);
    if (!result.ok) {
      setError(result.error);
      setFieldErrors(result.fieldErrors);
      return;
    }
    setOpen(false);
    setLimit([]);
    onCreated(result.data.token, result.data.apiToken.name);
    toast({ tone: "success", title: "Pull token created", description: "Copy it now: it is shown on this page once." });
  }

  return (
    <>
      <Button onClick={() => setOpen(true)}>Create a pull token</Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        dismissible={!pending}
        title="Create a pull token"
        description="An API token with the registries:pull scope, acting as you. It is shown once; it also appears under Settings › API tokens, where you can revoke it."
        className="max-w-lg"
      >
        <form
          className="mt-4 space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          {error ? <Alert>{error}</Alert> : null}
          <Field id={ids.name} label="Token name" error={fieldErrors.name} required>
            <Input id={ids.name} value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
          </Field>
          <Field id={ids.expires} label="Expires" error={fieldErrors.expiresAt}>
            <Select id={ids.expires} value={expires} onChange={(e) => setExpires(e.target.value)}>
              {EXPIRY_DAYS.map((d) => (
                <option key={d.value} value={d.value}>
                  {d.label}
                </option>
              ))}
            </Select>
          </Field>
          <RegistryLimitPicker registries={options} value={limit} onChange={setLimit} error={registryLimitError(fieldErrors)} />
          <DialogActions>
            <Button type="button" variant="secondary" onClick={() => setOpen(false)} disabled={pending}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending}>
              {pending ? "Creating…" : "Create token"}
            </Button>
          </DialogActions>
        </form>
      </Dialog>
    </>
  );
}
