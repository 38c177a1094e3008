-- Replicas cache license terms for heartbeats and drop an entry when told it changed.
-- NOTIFY is transactional: listeners hear of a change exactly when it commits, never
-- before and never for a rolled-back one. Payload: the license ID, or '*' when a plan
-- or product changed (it may touch many licenses).
CREATE FUNCTION "leasehold_notify_license_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'licenses' THEN
    PERFORM pg_notify('leasehold_license_changed', OLD.id);
  ELSE
    PERFORM pg_notify('leasehold_license_changed', '*');
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "licenses_notify_changed" AFTER UPDATE OR DELETE ON "licenses"
  FOR EACH ROW EXECUTE FUNCTION "leasehold_notify_license_changed"();
--> statement-breakpoint
CREATE TRIGGER "plans_notify_changed" AFTER UPDATE OR DELETE ON "plans"
  FOR EACH STATEMENT EXECUTE FUNCTION "leasehold_notify_license_changed"();
--> statement-breakpoint
CREATE TRIGGER "products_notify_changed" AFTER UPDATE OR DELETE ON "products"
  FOR EACH STATEMENT EXECUTE FUNCTION "leasehold_notify_license_changed"();
