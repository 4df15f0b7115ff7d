-- Accountability feed: performance targets with realisations, budgets with monthly realisations, absorption milestones,
-- and the marker on self answers that /answers/self/derive wrote.
-- Money (budgets.ceiling, budget_realisations.amount) is INTEGER sen (rupiah x 100): SQLite has no decimal type, and
-- integer SUM keeps totals exact to the sen. ISqlDialect converts rupiah to sen and back.
-- Other decimals (target values, percentages) are canonical invariant text, read back as decimal.

CREATE TABLE performance_targets (
    id               TEXT NOT NULL PRIMARY KEY,
    unit_id          TEXT NOT NULL REFERENCES units (id),
    year             INTEGER NOT NULL,
    indicator        TEXT NOT NULL COLLATE NOCASE,
    unit_of_measure  TEXT NOT NULL,
    target           TEXT NOT NULL,
    direction        TEXT NOT NULL CHECK (direction IN ('higher_is_better', 'lower_is_better')),
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL
);
-- One target per indicator, unit and year; also the (unit, year) index every read uses.
CREATE UNIQUE INDEX ux_performance_targets_unit_year_indicator ON performance_targets (unit_id, year, indicator);

CREATE TABLE performance_realisations (
    target_id    TEXT NOT NULL REFERENCES performance_targets (id),
    period       TEXT NOT NULL,
    value        TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    PRIMARY KEY (target_id, period)
);

CREATE TABLE budgets (
    unit_id      TEXT NOT NULL REFERENCES units (id),
    year         INTEGER NOT NULL,
    ceiling  INTEGER NOT NULL CHECK (ceiling > 0),
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    PRIMARY KEY (unit_id, year)
);

CREATE TABLE budget_realisations (
    unit_id                    TEXT NOT NULL,
    year                       INTEGER NOT NULL,
    month                      INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    amount                 INTEGER NOT NULL CHECK (amount >= 0),
    physical_progress_percent  TEXT NOT NULL,
    recorded_at                TEXT NOT NULL,
    recorded_by                TEXT NOT NULL,
    PRIMARY KEY (unit_id, year, month),
    FOREIGN KEY (unit_id, year) REFERENCES budgets (unit_id, year)
);

CREATE TABLE absorption_milestones (
    agency_id    TEXT NOT NULL REFERENCES agencies (id),
    year         INTEGER NOT NULL,
    month        INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    min_percent  TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    PRIMARY KEY (agency_id, year, month)
);

-- A self answer written by derive, with the figures it came from. It describes the answer only while the answer's
-- updated_at still equals answer_updated_at: a later manual change makes the marker stale without touching it.
CREATE TABLE derived_answers (
    assessment_id      TEXT NOT NULL REFERENCES assessments (id),
    item_code          TEXT NOT NULL,
    answer_updated_at  TEXT NOT NULL,
    sources            TEXT NOT NULL,
    derived_at         TEXT NOT NULL,
    derived_by         TEXT NOT NULL,
    PRIMARY KEY (assessment_id, item_code)
);
