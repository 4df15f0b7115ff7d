-- Performance targets may name the sasaran (objective) their indicator measures; derive counts sasaran for AK.R.1.a.1
-- (docs/accountability.md). Existing targets have none: each stays its own sasaran.
ALTER TABLE performance_targets ADD COLUMN sasaran TEXT NULL;
