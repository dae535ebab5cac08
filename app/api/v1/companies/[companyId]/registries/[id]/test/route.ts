import { notYet } from "@/lib/registries/http";

export const dynamic = "force-dynamic";

export const POST = notYet("registries:test", "Testing a saved registry");
