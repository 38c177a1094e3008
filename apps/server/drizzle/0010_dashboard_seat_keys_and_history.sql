CREATE TABLE "license_seat_history" (
	"license_id" text NOT NULL,
	"since" timestamp with time zone NOT NULL,
	"seats" integer NOT NULL,
	CONSTRAINT "license_seat_history_license_id_since_pk" PRIMARY KEY("license_id","since")
);
--> statement-breakpoint
CREATE TABLE "seat_usage_holders" (
	"session_id" text PRIMARY KEY NOT NULL,
	"license_id" text NOT NULL,
	"basis_key" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "seat_usage_holders_key_idx" ON "seat_usage_holders" USING btree ("license_id","basis_key");--> statement-breakpoint
CREATE INDEX "audit_events_action_at_idx" ON "audit_events" USING btree ("action","at");--> statement-breakpoint
-- The seats in force so far: today's, from each license's creation (the history starts here).
INSERT INTO "license_seat_history" ("license_id", "since", "seats")
SELECT l."id", l."created_at", coalesce(l."seats_override", p."seats") FROM "licenses" l JOIN "plans" p ON p."id" = l."plan_id";--> statement-breakpoint
-- The rollup counted sessions, not seats: it is rebuilt from the audit chain, keyed by seat-basis key.
DELETE FROM "seat_usage_hourly";--> statement-breakpoint
DELETE FROM "seat_usage_state";--> statement-breakpoint
UPDATE "seat_usage_cursor" SET "last_seq" = 0;
