CREATE TABLE "registry_tokens" (
	"registry_id" uuid PRIMARY KEY NOT NULL,
	"company_id" uuid NOT NULL,
	"registry_host" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"blob" text NOT NULL,
	"key_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "registries_company_url_idx";--> statement-breakpoint
ALTER TABLE "registry_tokens" ADD CONSTRAINT "registry_tokens_registry_id_registries_id_fk" FOREIGN KEY ("registry_id") REFERENCES "public"."registries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registry_tokens" ADD CONSTRAINT "registry_tokens_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "registries_company_url_idx" ON "registries" USING btree ("company_id","url") WHERE "registries"."is_deleted" = false and "registries"."type" <> 'public' and "registries"."url" not like 'dkr.ecr.%';