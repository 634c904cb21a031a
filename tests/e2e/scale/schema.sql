-- The scale-out rehearsal's database (scripts/scale-demo): one table under row-level security,
-- read by two tenants through one role; pgmcp logs in as scale_reader and switches to the token's
-- role (scale_tenant) per call. Loaded on the primary; the standby and PgBouncer see the same.
CREATE ROLE scale_reader LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
CREATE ROLE scale_tenant NOLOGIN;
GRANT scale_tenant TO scale_reader;
REVOKE CREATE, TEMPORARY ON DATABASE scale FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO scale_reader;

CREATE TABLE orders (
  id     integer PRIMARY KEY,
  tenant text NOT NULL,
  status text NOT NULL CHECK (status IN ('open', 'paid', 'shipped')),
  amount numeric(10, 2) NOT NULL
);
COMMENT ON TABLE orders IS 'Orders per tenant; each caller sees only its own tenant''s rows.';
-- Tenants of different sizes, so an answer for the wrong tenant cannot pass for the right one.
INSERT INTO orders
SELECT g, CASE WHEN g % 5 = 0 THEN 'acme' WHEN g % 5 < 4 THEN 'globex' ELSE 'initech' END,
       (ARRAY['open', 'paid', 'shipped'])[1 + g % 3], (g * 7 % 500) + 0.25
FROM generate_series(1, 3000) g;
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON orders FOR SELECT TO scale_tenant
  USING (tenant = current_setting('request.jwt.claims', true)::jsonb ->> 'tenant');
GRANT SELECT ON orders TO scale_tenant;
ANALYZE orders;
