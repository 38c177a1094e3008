CREATE TABLE "ci_mappings" (
	"id" text PRIMARY KEY NOT NULL,
	"license_id" text NOT NULL,
	"organisation_id" text NOT NULL,
	"issuer" text NOT NULL,
	"repository_pattern" text NOT NULL,
	"ref_pattern" text,
	"job_workflow_ref_pattern" text,
	"mode" text NOT NULL,
	"max_concurrent" integer,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "ci_mappings_mode_check" CHECK ("ci_mappings"."mode" in ('enforce', 'advisory')),
	CONSTRAINT "ci_mappings_pool_check" CHECK ("ci_mappings"."max_concurrent" is null or "ci_mappings"."max_concurrent" > 0)
);
--> statement-breakpoint
CREATE TABLE "ci_seats" (
	"id" text PRIMARY KEY NOT NULL,
	"mapping_id" text NOT NULL,
	"license_id" text NOT NULL,
	"fingerprint" text NOT NULL,
	"session_id" text,
	"reserved_until" timestamp with time zone NOT NULL,
	"claims" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ci_mappings" ADD CONSTRAINT "ci_mappings_license_id_licenses_id_fk" FOREIGN KEY ("license_id") REFERENCES "public"."licenses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ci_seats" ADD CONSTRAINT "ci_seats_mapping_id_ci_mappings_id_fk" FOREIGN KEY ("mapping_id") REFERENCES "public"."ci_mappings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ci_mappings_issuer_idx" ON "ci_mappings" USING btree ("issuer");--> statement-breakpoint
CREATE INDEX "ci_mappings_license_idx" ON "ci_mappings" USING btree ("license_id","id");--> statement-breakpoint
CREATE INDEX "ci_seats_mapping_idx" ON "ci_seats" USING btree ("mapping_id","created_at");--> statement-breakpoint
CREATE INDEX "ci_seats_session_idx" ON "ci_seats" USING btree ("session_id");