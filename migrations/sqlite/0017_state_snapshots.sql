-- The dossier's state is a snapshot taken every few versions, not rewritten on every transition:
-- `state_version` is the version it was taken at, and reading a dossier replays the events after
-- it. Every existing row holds its current state.
ALTER TABLE dossiers ADD COLUMN state_version INTEGER NOT NULL DEFAULT 0;
UPDATE dossiers SET state_version = version;
-- The hash of the dossier's last event, kept in a column now that the state (which names it) is
-- not rewritten on every transition: the auditor checks it against the last stored event.
ALTER TABLE dossiers ADD COLUMN last_hash TEXT NOT NULL DEFAULT '';
UPDATE dossiers SET last_hash = COALESCE(json_extract(state, '$.last_hash'), '');
