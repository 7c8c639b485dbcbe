-- Lead assignment at speed: every API process keeps each tenant's reps, rules and close rates in
-- memory and decides there; the database stays the authority. These counters tell a process, in
-- the same statement that assigns a lead, whether what it decided on is still current.
--   reps     — bumped when a rep is created, deleted, or changed other than its load
--              (load = open_leads / last_assigned_at, which the assignment itself changes and
--              which is checked atomically in SQL, never taken from the cache)
--   rules    — bumped when a rule set version is saved
--   outcomes — bumped when outcomes arrive (close rates are refreshed, not blocking)
-- A tenant without a row is at version 0 everywhere.

CREATE TABLE assignment_versions (
  tenant_id text PRIMARY KEY,
  reps      bigint NOT NULL DEFAULT 0,
  rules     bigint NOT NULL DEFAULT 0,
  outcomes  bigint NOT NULL DEFAULT 0
);

CREATE FUNCTION assignment_bump_reps() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO assignment_versions AS v (tenant_id, reps) VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END, 1)
  ON CONFLICT (tenant_id) DO UPDATE SET reps = v.reps + 1;
  RETURN NULL;
END $$;

-- The column list leaves out open_leads and last_assigned_at, so the hot path (a conditional
-- UPDATE of the load) fires nothing; the rep upsert always sets updated_at, so a column added
-- to reps later is covered as long as it is written through the upsert.
CREATE TRIGGER reps_version AFTER INSERT OR DELETE OR UPDATE OF name, email, industries, skills, capacity, active, timezone, working_hours, wecom_webhook, updated_at
  ON reps FOR EACH ROW EXECUTE FUNCTION assignment_bump_reps();

CREATE FUNCTION assignment_bump_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO assignment_versions AS v (tenant_id, rules) VALUES (NEW.tenant_id, 1)
  ON CONFLICT (tenant_id) DO UPDATE SET rules = v.rules + 1;
  RETURN NULL;
END $$;

CREATE TRIGGER rule_sets_version AFTER INSERT ON assignment_rule_sets FOR EACH ROW EXECUTE FUNCTION assignment_bump_rules();

CREATE FUNCTION assignment_bump_outcomes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO assignment_versions AS v (tenant_id, outcomes) SELECT DISTINCT tenant_id, 1 FROM new_rows
  ON CONFLICT (tenant_id) DO UPDATE SET outcomes = v.outcomes + 1;
  RETURN NULL;
END $$;

CREATE TRIGGER outcomes_version AFTER INSERT ON lead_outcomes REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION assignment_bump_outcomes();
