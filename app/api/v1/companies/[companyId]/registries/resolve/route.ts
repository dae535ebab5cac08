import { notYet } from "@/lib/registries/http";

export const dynamic = "force-dynamic";

export const POST = notYet("registries:list", "Resolving an image to a registry");
