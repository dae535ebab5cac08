import { notYet } from "@/lib/registries/route-handlers";

export const dynamic = "force-dynamic";

export const POST = notYet("registries:list", "Resolving an image to a registry");
