import { notYet } from "@/lib/registries/http";

export const dynamic = "force-dynamic";

export const POST = notYet("registries:validate", "Test Connection on unsaved input");
