import { Placeholder } from "@/components/shell/placeholder";

export const metadata = { title: "API tokens" };

export default function Page() {
  return <Placeholder title="API tokens" issue="the Identity and access issue" />;
}
