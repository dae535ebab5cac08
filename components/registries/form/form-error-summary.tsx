import { Alert } from "@/components/ui/card";

/**
 * Above the form: the server's error (focusable, so focus can move to it when no field took it),
 * else after a submit how many fields need attention.
 */
export function FormErrorSummary({
  serverError,
  focusRef,
  invalidCount,
  submitted,
}: {
  serverError: React.ReactNode;
  focusRef: React.Ref<HTMLDivElement>;
  invalidCount: number;
  submitted: boolean;
}) {
  if (serverError) {
    return (
      <div ref={focusRef} tabIndex={-1} className="outline-none">
        <Alert>{serverError}</Alert>
      </div>
    );
  }
  if (invalidCount > 0 && submitted) {
    return (
      <Alert>
        Nothing was saved: {invalidCount} field{invalidCount === 1 ? " needs" : "s need"} attention.
      </Alert>
    );
  }
  return null;
}
