import { Placeholder } from "@/components/shell/placeholder";

export const metadata = { title: "Members" };

export default function Page() {
  return <Placeholder title="Members" issue="the Identity and access issue" />;
}
