ALTER TABLE "plans" ADD COLUMN "linger_seconds" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "queue_priorities" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "seat_waiters" ADD COLUMN "lapses_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "seat_waiters" ADD COLUMN "priority" integer DEFAULT 0 NOT NULL;