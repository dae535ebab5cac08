"use client";

import { useActionState } from "react";
import type { ActionResult } from "@/lib/action-result";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";

type State = ActionResult<undefined> | null;

export interface SimpleField {
  name: string;
  label: string;
  type?: string;
  required?: boolean;
  autoComplete?: string;
  hint?: string;
  defaultValue?: string;
  readOnly?: boolean;
}

/** A small form around a server action that answers ActionResult: fields, errors, one submit button. */
export function SimpleActionForm({
  action,
  fields,
  hidden = {},
  submitLabel,
  pendingLabel,
}: {
  action: (prev: State, form: FormData) => Promise<State>;
  fields: SimpleField[];
  hidden?: Record<string, string>;
  submitLabel: string;
  pendingLabel: string;
}) {
  const [state, formAction, pending] = useActionState<State, FormData>(action, null);
  const fe = state && !state.ok ? state.fieldErrors : {};
  return (
    <form action={formAction} className="space-y-4" noValidate>
      {Object.entries(hidden).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      {state && !state.ok ? <Alert>{state.error}</Alert> : null}
      {fields.map((f, i) => (
        <Field key={f.name} id={f.name} label={f.label} required={f.required} error={fe[f.name]} hint={f.hint}>
          <Input
            id={f.name}
            name={f.name}
            type={f.type ?? "text"}
            required={f.required}
            autoComplete={f.autoComplete}
            defaultValue={f.defaultValue}
            readOnly={f.readOnly}
            autoFocus={i === 0 && !f.readOnly}
            aria-invalid={!!fe[f.name]}
          />
        </Field>
      ))}
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? pendingLabel : submitLabel}
      </Button>
    </form>
  );
}
