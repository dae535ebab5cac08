import { Placeholder } from "@/components/shell/placeholder";

export const metadata = { title: "Container Registries" };

export default function Page() {
  return <Placeholder title="Container Registries" issue="the Registries core and Settings > Container Registries issues" />;
}
