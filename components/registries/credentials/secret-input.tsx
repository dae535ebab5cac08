"use client";

import { useState } from "react";
import { Input } from "@/components/ui/input";
import { NO_AUTOFILL } from "./no-autofill";

/** A password-style input with a Show / Hide toggle; never autofilled. */
export function SecretInput(props: React.InputHTMLAttributes<HTMLInputElement> & { ref?: React.Ref<HTMLInputElement> }) {
  const [shown, setShown] = useState(false);
  return (
    <div className="relative sm:max-w-xl">
      <Input
        {...props}
        {...NO_AUTOFILL}
        type={shown ? "text" : "password"}
        autoComplete="new-password"
        autoCapitalize="off"
        autoCorrect="off"
        spellCheck={false}
        className="pr-16 font-mono"
      />
      <button
        type="button"
        onClick={() => setShown((s) => !s)}
        aria-controls={props.id}
        aria-describedby={props.id ? `${props.id}-label` : undefined}
        className="absolute inset-y-1 right-1 rounded px-2.5 text-xs font-medium text-zinc-600 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-brand-500 dark:text-zinc-300 dark:hover:bg-zinc-800"
      >
        {shown ? "Hide" : "Show"}
      </button>
    </div>
  );
}
