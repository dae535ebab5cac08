import { notFound } from "next/navigation";
import { SetupForm } from "@/components/auth/setup-form";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { getDb } from "@/db";
import { checkSetupCode } from "@/lib/auth/bootstrap";
import { countUsers } from "@/lib/auth/users";

export const metadata = { title: "Set up Berth" };
export const dynamic = "force-dynamic";

export default async function SetupPage({ searchParams }: { searchParams: Promise<{ code?: string }> }) {
  if ((await countUsers(await getDb())) > 0) notFound();
  const { code } = await searchParams;
  const valid = !!code && (await checkSetupCode(code));
  return (
    <>
      <h1 className="mb-1 text-lg font-semibold">Welcome to Berth</h1>
      {valid ? (
        <>
          <p className="mb-5 text-sm text-zinc-600 dark:text-zinc-400">Create the first owner account and your company.</p>
          <SetupForm code={code} />
        </>
      ) : (
        <form method="get" action="/setup" className="space-y-4">
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Open the one-time link the server printed to its log when it started, or paste its code here.
          </p>
          {code ? <Alert>That setup code is not valid. Restart the server to print a new one.</Alert> : null}
          <Field id="code" label="Setup code">
            <Input id="code" name="code" autoComplete="off" required />
          </Field>
          <Button type="submit" className="w-full">
            Continue
          </Button>
        </form>
      )}
    </>
  );
}
