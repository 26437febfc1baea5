-- When processing ended (NgayKetThucXuLy), so lists can say early, on time or late without
-- reading each dossier's state. Filled for existing dossiers from the state they hold, to the
-- microsecond as hoso stores instants (whole seconds, then the fraction's first six digits:
-- state instants are written as 2026-03-02T03:00:00.123456789Z).
ALTER TABLE dossiers ADD COLUMN finished_at BIGINT;
UPDATE dossiers
   SET finished_at = EXTRACT(EPOCH FROM (substr(f, 1, 19) || 'Z')::timestamptz)::BIGINT * 1000000
       + CASE WHEN substr(f, 20, 1) = '.'
              THEN substr(substr(f, 21, length(f) - 21) || '000000', 1, 6)::BIGINT
              ELSE 0 END
  FROM (SELECT code AS finished_code, state::jsonb ->> 'finished_at' AS f FROM dossiers) AS finished
 WHERE finished_code = code AND f IS NOT NULL;
