CREATE TABLE "seat_waiters" (
	"id" text PRIMARY KEY NOT NULL,
	"license_id" text NOT NULL,
	"position" bigserial NOT NULL,
	"fingerprint" text NOT NULL,
	"hostname" text,
	"user_id" text,
	"enqueued_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"outcome" text,
	"session_id" text,
	CONSTRAINT "seat_waiters_outcome_check" CHECK ("seat_waiters"."outcome" is null or "seat_waiters"."outcome" in ('granted', 'gave-up', 'lapsed'))
);
--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "max_queue_wait_seconds" integer DEFAULT 600 NOT NULL;--> statement-breakpoint
ALTER TABLE "seat_waiters" ADD CONSTRAINT "seat_waiters_license_id_licenses_id_fk" FOREIGN KEY ("license_id") REFERENCES "public"."licenses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "seat_waiters_queue_idx" ON "seat_waiters" USING btree ("license_id","position") WHERE "seat_waiters"."ended_at" is null;