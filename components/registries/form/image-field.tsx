import { Input } from "@/components/ui/input";
import { FormField } from "../form-field";

/** The optional image a connection test pulls to prove access; Enter here runs the test rather than saving the form. */
export function ImageField({ value, onChange, onEnter }: { value: string; onChange: (value: string) => void; onEnter: () => void }) {
  return (
    <FormField id="field-image" label="Image" help="Optional: an image to prove pull access, e.g. my-org/api:latest.">
      <Input
        id="field-image"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            onEnter();
          }
        }}
        aria-describedby="field-image-help"
        autoComplete="off"
        spellCheck={false}
        placeholder="my-org/api:latest"
        className="font-mono sm:max-w-xl"
      />
    </FormField>
  );
}
