-- The place name a unit's forms are dated from (địa danh), e.g. "Tân Lập, ngày 05 tháng 12 năm 2026".
ALTER TABLE units ADD COLUMN place TEXT;
