CREATE TABLE "registry_use_daily" (
	"registry_id" uuid NOT NULL,
	"company_id" uuid NOT NULL,
	"day" date NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "registry_use_daily_registry_id_day_pk" PRIMARY KEY("registry_id","day")
);
--> statement-breakpoint
CREATE TABLE "registry_uses" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "registry_uses_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"company_id" uuid NOT NULL,
	"registry_id" uuid NOT NULL,
	"used_at" timestamp with time zone DEFAULT now() NOT NULL,
	"user_id" uuid,
	"token_id" uuid,
	"operation" text NOT NULL,
	"subject" text,
	"client" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "registry_use_daily" ADD CONSTRAINT "registry_use_daily_registry_id_registries_id_fk" FOREIGN KEY ("registry_id") REFERENCES "public"."registries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registry_use_daily" ADD CONSTRAINT "registry_use_daily_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registry_uses" ADD CONSTRAINT "registry_uses_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registry_uses" ADD CONSTRAINT "registry_uses_registry_id_registries_id_fk" FOREIGN KEY ("registry_id") REFERENCES "public"."registries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registry_uses" ADD CONSTRAINT "registry_uses_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registry_uses" ADD CONSTRAINT "registry_uses_token_id_api_tokens_id_fk" FOREIGN KEY ("token_id") REFERENCES "public"."api_tokens"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "registry_use_daily_day_idx" ON "registry_use_daily" USING btree ("day");--> statement-breakpoint
CREATE INDEX "registry_uses_registry_idx" ON "registry_uses" USING btree ("registry_id","used_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "registry_uses_used_at_idx" ON "registry_uses" USING btree ("used_at");