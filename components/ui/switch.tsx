"use client";

import { forwardRef } from "react";

/**
 * An on/off switch: a button with role="switch" and aria-checked. The accessible name comes
 * from `aria-label` or `aria-labelledby`; the state is announced from aria-checked.
 */
export const Switch = forwardRef<
  HTMLButtonElement,
  Omit<React.ButtonHTMLAttributes<HTMLButtonElement>, "onChange"> & { checked: boolean; onCheckedChange?: (checked: boolean) => void }
>(function Switch({ checked, onCheckedChange, className = "", disabled, ...props }, ref) {
  return (
    <button
      ref={ref}
      type="button"
      role="switch"
      aria-checked={checked}
      disabled={disabled}
      onClick={() => onCheckedChange?.(!checked)}
      className={`relative inline-flex h-5 w-9 shrink-0 cursor-pointer items-center rounded-full transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-500 disabled:cursor-not-allowed disabled:opacity-50 ${
        checked ? "bg-brand-600" : "bg-zinc-300 dark:bg-zinc-700"
      } ${className}`}
      {...props}
    >
      <span
        aria-hidden="true"
        className={`inline-block h-4 w-4 rounded-full bg-white shadow ring-0 transition-transform motion-reduce:transition-none ${checked ? "translate-x-[18px]" : "translate-x-0.5"}`}
      />
    </button>
  );
});
