CREATE TABLE "seat_usage_cursor" (
	"id" integer PRIMARY KEY NOT NULL,
	"last_seq" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "seat_usage_hourly" (
	"license_id" text NOT NULL,
	"organisation_id" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"peak" integer NOT NULL,
	"seat_seconds" bigint NOT NULL,
	"denials" integer NOT NULL,
	CONSTRAINT "seat_usage_hourly_license_id_hour_pk" PRIMARY KEY("license_id","hour")
);
--> statement-breakpoint
CREATE TABLE "seat_usage_state" (
	"license_id" text PRIMARY KEY NOT NULL,
	"organisation_id" text NOT NULL,
	"concurrent" integer NOT NULL,
	"since" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "staff" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "seat_usage_hourly_hour_idx" ON "seat_usage_hourly" USING btree ("hour");--> statement-breakpoint
INSERT INTO "seat_usage_cursor" ("id", "last_seq") VALUES (1, 0);
