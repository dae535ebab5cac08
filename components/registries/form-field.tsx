import { ErrorIcon, WarningIcon } from "@/components/ui/icons";

/**
 * A form row of the registry form: the <label> holds only the field's name (so that is the
 * control's accessible name); the required marker and any indicator ("Set") stand outside it.
 * Below the control: the error, then a warning, then the help text, all wired to the control
 * through aria-describedby (`describedBy(id, …)` builds the same id list for the control).
 */
export function FormField({
  id,
  label,
  required,
  indicator,
  error,
  warning,
  help,
  children,
  labelHidden,
}: {
  id: string;
  label: string;
  required?: boolean;
  indicator?: React.ReactNode;
  error?: string;
  warning?: React.ReactNode;
  help?: React.ReactNode;
  children: React.ReactNode;
  labelHidden?: boolean;
}) {
  return (
    <div className="space-y-1.5">
      <div className={labelHidden ? "sr-only" : "flex flex-wrap items-center gap-x-1.5 gap-y-1"}>
        <label htmlFor={id} id={`${id}-label`} className="text-sm font-medium text-zinc-800 dark:text-zinc-200">
          {label}
        </label>
        {required ? (
          <span aria-hidden="true" className="text-sm text-red-600 dark:text-red-400">
            *
          </span>
        ) : null}
        {indicator}
      </div>
      {children}
      {error ? (
        <p id={`${id}-error`} className="flex items-start gap-1 text-xs font-medium text-red-700 dark:text-red-400">
          <ErrorIcon />
          <span>{error}</span>
        </p>
      ) : null}
      {warning && !error ? (
        <p id={`${id}-warning`} className="flex items-start gap-1 text-xs text-amber-800 dark:text-amber-300">
          <WarningIcon />
          <span>{warning}</span>
        </p>
      ) : null}
      {help ? (
        <p id={`${id}-help`} className="text-xs text-zinc-500 dark:text-zinc-400">
          {help}
        </p>
      ) : null}
    </div>
  );
}

/** The aria-describedby list matching what FormField renders. */
export function describedBy(id: string, parts: { error?: unknown; warning?: unknown; help?: unknown }): string | undefined {
  const ids = [parts.error ? `${id}-error` : null, parts.warning && !parts.error ? `${id}-warning` : null, parts.help ? `${id}-help` : null].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}
