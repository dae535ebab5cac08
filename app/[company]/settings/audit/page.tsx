import { Placeholder } from "@/components/shell/placeholder";

export const metadata = { title: "Audit log" };

export default function Page() {
  return <Placeholder title="Audit log" issue="the Identity and access issue" />;
}
