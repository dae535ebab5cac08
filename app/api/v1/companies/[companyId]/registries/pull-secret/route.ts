import { notYet } from "@/lib/registries/route-handlers";

export const dynamic = "force-dynamic";

export const POST = notYet("registries:pull", "Pull secrets");
