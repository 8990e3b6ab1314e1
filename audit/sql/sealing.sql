-- PostgreSQL guard of the audit chain, installed by migration 0007_audit_sealing.
-- Links and checkpoints are only ever inserted, like the events they seal.
DROP TRIGGER IF EXISTS audit_seal_append_only ON audit_auditseal;
CREATE TRIGGER audit_seal_append_only
    BEFORE UPDATE OR DELETE ON audit_auditseal
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_event_change();

DROP TRIGGER IF EXISTS audit_checkpoint_append_only ON audit_auditcheckpoint;
CREATE TRIGGER audit_checkpoint_append_only
    BEFORE UPDATE OR DELETE ON audit_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_event_change();
