CREATE TABLE "seat_epochs" (
	"license_id" text PRIMARY KEY NOT NULL,
	"epoch" text NOT NULL,
	"rebuilt_at" timestamp with time zone NOT NULL
);
