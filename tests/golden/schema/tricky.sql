-- Golden case "tricky": a schema that exercises every introspection rule at once.
-- The test connects as the role named on the next line; tricky.toml holds the settings.
-- pgmcp-golden-login: golden_tricky_reader
SET client_min_messages = warning;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'golden_tricky_reader') THEN
    CREATE ROLE golden_tricky_reader LOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'golden_tricky_analyst') THEN
    CREATE ROLE golden_tricky_analyst NOLOGIN;
  END IF;
END $$;

CREATE SCHEMA sales;

-- Types: enums (one with a quoted, mixed-case name in another schema) and domains, one of which
-- lists its values in a CHECK.
CREATE TYPE plan_tier AS ENUM ('free', 'pro', 'enterprise');
CREATE TYPE sales."Deal Stage" AS ENUM ('lead', 'qualified', 'won', 'lost');
CREATE DOMAIN email_address AS text CHECK (VALUE LIKE '%@%');
CREATE DOMAIN money_amount AS numeric(12,2) CHECK (VALUE >= 0);
CREATE DOMAIN priority_level AS text CHECK (VALUE IN ('low', 'normal', 'high'));

CREATE TABLE customers (
  id             integer PRIMARY KEY,
  email          email_address NOT NULL UNIQUE,
  plan           plan_tier NOT NULL,
  mrr            money_amount,
  country        char(2),
  tags           text[],
  settings       jsonb,
  created_at     timestamptz NOT NULL,
  password_hash  text,   -- excluded by the default exclude_columns
  internal_notes text    -- excluded by tricky.toml
);
COMMENT ON TABLE customers IS 'Customer accounts (overridden by tricky.toml).';
COMMENT ON COLUMN customers.mrr IS 'Monthly recurring revenue in USD.';
COMMENT ON COLUMN customers.password_hash IS 'never shown';
INSERT INTO customers (id, email, plan, mrr, country, tags, settings, created_at)
SELECT i, 'user' || i || '@example.com', (ARRAY['free', 'pro', 'enterprise'])[1 + i % 3]::plan_tier,
       (i * 10)::numeric, (ARRAY['DE', 'FR', 'US'])[1 + i % 3], ARRAY['t' || (i % 2)],
       jsonb_build_object('theme', 'dark'), timestamptz '2026-01-01 00:00:00+00' + i * interval '1 day'
FROM generate_series(1, 30) AS i;

-- Similar to customers (affix _archive); its plan values come from a CHECK constraint.
CREATE TABLE customers_archive (
  id          integer PRIMARY KEY,
  email       text NOT NULL,
  plan        text NOT NULL CHECK (plan IN ('free', 'pro', 'enterprise')),
  archived_on date NOT NULL
);
COMMENT ON TABLE customers_archive IS 'Accounts closed before 2025.';

CREATE TABLE orders (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES customers (id),
  status      varchar(20) NOT NULL,
  total       numeric(12,2) NOT NULL,
  priority    priority_level,
  ordered_on  date NOT NULL
);
COMMENT ON COLUMN orders.status IS 'Fulfilment state.';
INSERT INTO orders (customer_id, status, total, priority, ordered_on)
SELECT 1 + i % 30, (ARRAY['new', 'paid', 'shipped'])[1 + i % 3], i * 1.5, 'normal',
       date '2026-01-01' + i
FROM generate_series(1, 200) AS i;

-- A composite primary key and a composite foreign key pointing at it.
CREATE TABLE order_items (
  order_id   bigint NOT NULL REFERENCES orders (id),
  line_no    smallint NOT NULL,
  sku        text NOT NULL,
  quantity   integer NOT NULL CHECK (quantity > 0),
  unit_price real,
  PRIMARY KEY (order_id, line_no)
);
CREATE TABLE shipments (
  id       integer PRIMARY KEY,
  order_id bigint NOT NULL,
  line_no  smallint NOT NULL,
  carrier  text CHECK (carrier = ANY (ARRAY['dhl', 'ups', 'fedex']) OR carrier IS NULL),
  FOREIGN KEY (order_id, line_no) REFERENCES order_items (order_id, line_no)
);

-- Self-referencing foreign key; api_token is excluded by default.
CREATE TABLE employees (
  id         integer PRIMARY KEY,
  full_name  text NOT NULL,
  manager_id integer REFERENCES employees (id),
  api_token  text
);

-- No primary key, a quoted mixed-case name with a space, json and a mixed-case column.
CREATE TABLE "Event Log" (
  "occurredAt" timestamp NOT NULL,
  "Level"      text NOT NULL,
  message      text,
  payload      json
);

-- A non-ASCII name.
CREATE TABLE "Ünïcødé_Tåble" (id integer PRIMARY KEY, "naïve" text);

-- Empty and never analyzed: no row estimate.
CREATE TABLE audit_entries (id bigint, action text, at timestamptz);

-- Row-level security: its low-cardinality column must never show values.
CREATE TABLE tenant_notes (
  id       integer PRIMARY KEY,
  tenant   text NOT NULL,
  category text NOT NULL,
  body     text
);
ALTER TABLE tenant_notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_notes_all ON tenant_notes USING (true);
INSERT INTO tenant_notes
SELECT i, (ARRAY['acme', 'globex'])[1 + i % 2], (ARRAY['secret-alpha', 'secret-beta'])[1 + i % 2], 'note'
FROM generate_series(1, 100) AS i;

-- Partitioned: the parent is exposed, the partitions are not; its estimate sums theirs.
CREATE TABLE measurements (
  id       bigint NOT NULL,
  taken_on date NOT NULL,
  reading  double precision
) PARTITION BY RANGE (taken_on);
CREATE TABLE measurements_2025 PARTITION OF measurements FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE measurements_2026 PARTITION OF measurements FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO measurements SELECT i, date '2025-06-01' + i, i * 0.5 FROM generate_series(1, 400) AS i;

-- Views of both kinds: the plain one is skipped with a warning.
CREATE VIEW paying_customers WITH (security_invoker = true) AS
  SELECT id, email, plan, mrr FROM customers WHERE plan <> 'free';
COMMENT ON VIEW paying_customers IS 'Accounts on a paid plan.';
CREATE VIEW customer_emails AS SELECT id, email FROM customers;

-- Another schema: tool names carry the schema; same table name as public.orders (similar).
CREATE TABLE sales.deals (
  id          integer PRIMARY KEY,
  customer_id integer REFERENCES public.customers (id),
  stage       sales."Deal Stage" NOT NULL,
  amount      numeric,
  closed_at   timestamp
);
CREATE TABLE sales.orders (id integer PRIMARY KEY, note text);
CREATE MATERIALIZED VIEW sales.monthly_totals AS
  SELECT date_trunc('month', ordered_on)::date AS month, sum(total) AS total FROM public.orders GROUP BY 1;

-- Column privileges: only id and employee_id are readable, so only they are exposed.
CREATE TABLE salaries (id integer PRIMARY KEY, employee_id integer REFERENCES employees (id), amount numeric);

-- Readable only by an allowed role (not the login role): still exposed.
CREATE TABLE analyst_reports (id integer PRIMARY KEY, title text);

-- Not readable by anyone audited: not exposed.
CREATE TABLE hidden_stuff (id integer);

-- Excluded by the default exclude_tables.
CREATE TABLE schema_migrations (version text PRIMARY KEY);

-- Longer than 64 characters once prefixed.
CREATE TABLE a_very_long_table_name_that_keeps_going_well_beyond_the_limit_of_tool_names (id integer);

-- Two names that collide after lower-casing.
CREATE TABLE "Widgets" (id integer);
CREATE TABLE widgets (id integer);

GRANT USAGE ON SCHEMA sales TO golden_tricky_reader, golden_tricky_analyst;
GRANT SELECT ON customers, customers_archive, orders, order_items, shipments, employees, "Event Log",
  "Ünïcødé_Tåble", audit_entries, tenant_notes, measurements, paying_customers, customer_emails,
  schema_migrations, a_very_long_table_name_that_keeps_going_well_beyond_the_limit_of_tool_names,
  "Widgets", widgets TO golden_tricky_reader;
GRANT SELECT ON sales.deals, sales.orders, sales.monthly_totals TO golden_tricky_reader;
GRANT SELECT (id, employee_id) ON salaries TO golden_tricky_reader;
GRANT SELECT ON analyst_reports TO golden_tricky_analyst;

ANALYZE customers, customers_archive, orders, order_items, shipments, employees, "Event Log",
  tenant_notes, measurements_2025, measurements_2026, sales.deals, sales.orders, sales.monthly_totals,
  salaries, analyst_reports;
