CREATE TABLE "stripe_events" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"license_id" text,
	"outcome" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "licenses" ADD COLUMN "suspension_reason" text;--> statement-breakpoint
ALTER TABLE "licenses" ADD COLUMN "stripe_subscription_id" text;--> statement-breakpoint
ALTER TABLE "licenses" ADD COLUMN "billing_status" text;--> statement-breakpoint
ALTER TABLE "licenses" ADD COLUMN "billing_state_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "licenses" ADD COLUMN "payment_failed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "stripe_customer_id" text;--> statement-breakpoint
CREATE INDEX "stripe_events_license_idx" ON "stripe_events" USING btree ("license_id","created_at");--> statement-breakpoint
ALTER TABLE "licenses" ADD CONSTRAINT "licenses_stripe_subscription_key" UNIQUE("stripe_subscription_id");--> statement-breakpoint
ALTER TABLE "organisations" ADD CONSTRAINT "organisations_stripe_customer_key" UNIQUE("stripe_customer_id");