-- When processing ended (NgayKetThucXuLy), so lists can say early, on time or late without
-- reading each dossier's state. Filled for existing dossiers from the state they hold, to the
-- microsecond as hoso stores instants (whole seconds, then the fraction's first six digits:
-- state instants are written as 2026-03-02T03:00:00.123456789Z).
ALTER TABLE dossiers ADD COLUMN finished_at INTEGER;
UPDATE dossiers
   SET finished_at = (
       SELECT CAST(strftime('%s', substr(f, 1, 19)) AS INTEGER) * 1000000
              + CASE WHEN substr(f, 20, 1) = '.'
                     THEN CAST(substr(substr(f, 21, length(f) - 21) || '000000', 1, 6) AS INTEGER)
                     ELSE 0 END
         FROM (SELECT json_extract(state, '$.finished_at') AS f))
 WHERE json_extract(state, '$.finished_at') IS NOT NULL;
