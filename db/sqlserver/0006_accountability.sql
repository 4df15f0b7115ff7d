-- Accountability feed: performance targets with realisations, budgets with monthly realisations, absorption milestones,
-- and the marker on self answers that /answers/self/derive wrote. Money is decimal(19,2) rupiah.
-- Column names match SQLite (ceiling, amount hold rupiah here); ISqlDialect converts on the way in and out.

CREATE TABLE dbo.performance_targets (
    id               UNIQUEIDENTIFIER NOT NULL CONSTRAINT pk_performance_targets PRIMARY KEY NONCLUSTERED,
    unit_id          UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_performance_targets_unit REFERENCES dbo.units (id),
    year             INT NOT NULL,
    indicator        NVARCHAR(300) NOT NULL,
    unit_of_measure  NVARCHAR(100) NOT NULL,
    target           DECIMAL(19, 4) NOT NULL,
    direction        NVARCHAR(20) NOT NULL CONSTRAINT ck_performance_targets_direction CHECK (direction IN (N'higher_is_better', N'lower_is_better')),
    created_at       DATETIMEOFFSET(7) NOT NULL,
    created_by       UNIQUEIDENTIFIER NOT NULL
);
CREATE UNIQUE CLUSTERED INDEX ux_performance_targets_unit_year_indicator ON dbo.performance_targets (unit_id, year, indicator);

CREATE TABLE dbo.performance_realisations (
    target_id    UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_performance_realisations_target REFERENCES dbo.performance_targets (id),
    period       CHAR(7) NOT NULL,
    value        DECIMAL(19, 4) NOT NULL,
    recorded_at  DATETIMEOFFSET(7) NOT NULL,
    recorded_by  UNIQUEIDENTIFIER NOT NULL,
    CONSTRAINT pk_performance_realisations PRIMARY KEY (target_id, period)
);

CREATE TABLE dbo.budgets (
    unit_id      UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_budgets_unit REFERENCES dbo.units (id),
    year         INT NOT NULL,
    ceiling  DECIMAL(19, 2) NOT NULL CONSTRAINT ck_budgets_ceiling CHECK (ceiling > 0),
    updated_at   DATETIMEOFFSET(7) NOT NULL,
    updated_by   UNIQUEIDENTIFIER NOT NULL,
    CONSTRAINT pk_budgets PRIMARY KEY (unit_id, year)
);

CREATE TABLE dbo.budget_realisations (
    unit_id                    UNIQUEIDENTIFIER NOT NULL,
    year                       INT NOT NULL,
    month                      INT NOT NULL CONSTRAINT ck_budget_realisations_month CHECK (month BETWEEN 1 AND 12),
    amount                 DECIMAL(19, 2) NOT NULL CONSTRAINT ck_budget_realisations_amount CHECK (amount >= 0),
    physical_progress_percent  DECIMAL(5, 2) NOT NULL,
    recorded_at                DATETIMEOFFSET(7) NOT NULL,
    recorded_by                UNIQUEIDENTIFIER NOT NULL,
    CONSTRAINT pk_budget_realisations PRIMARY KEY (unit_id, year, month),
    CONSTRAINT fk_budget_realisations_budget FOREIGN KEY (unit_id, year) REFERENCES dbo.budgets (unit_id, year)
);

CREATE TABLE dbo.absorption_milestones (
    agency_id    UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_absorption_milestones_agency REFERENCES dbo.agencies (id),
    year         INT NOT NULL,
    month        INT NOT NULL CONSTRAINT ck_absorption_milestones_month CHECK (month BETWEEN 1 AND 12),
    min_percent  DECIMAL(5, 2) NOT NULL,
    updated_at   DATETIMEOFFSET(7) NOT NULL,
    updated_by   UNIQUEIDENTIFIER NOT NULL,
    CONSTRAINT pk_absorption_milestones PRIMARY KEY (agency_id, year, month)
);

CREATE TABLE dbo.derived_answers (
    assessment_id      UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_derived_answers_assessment REFERENCES dbo.assessments (id),
    item_code          NVARCHAR(30) NOT NULL,
    answer_updated_at  DATETIMEOFFSET(7) NOT NULL,
    sources            NVARCHAR(MAX) NOT NULL,
    derived_at         DATETIMEOFFSET(7) NOT NULL,
    derived_by         UNIQUEIDENTIFIER NOT NULL,
    CONSTRAINT pk_derived_answers PRIMARY KEY (assessment_id, item_code)
);
