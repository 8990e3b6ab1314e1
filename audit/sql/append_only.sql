-- PostgreSQL guard of the audit log, installed by migration 0003_audit_append_only.
-- Audit events are only ever inserted: UPDATE and DELETE are refused for every role, including
-- the application's own. (TRUNCATE stays possible for the database owner: test teardown uses it.)
CREATE OR REPLACE FUNCTION audit_refuse_event_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_event_change();
