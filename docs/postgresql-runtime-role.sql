-- UMPro on PostgreSQL: privileges of the runtime role (docs/deployment.md).
--
-- Run as the role that OWNS the tables (the one that runs `flask db upgrade`), after
-- every migration:  psql -v ON_ERROR_STOP=1 -U umpro_owner -d umpro -f this-file.sql
-- `umpro_app` is the role of the web workers and the scheduler: it owns nothing, so it
-- cannot ALTER, DROP or disable the access log's append-only trigger, and it may only
-- read and append to the access log (no UPDATE, DELETE or TRUNCATE).
DO $$ BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO umpro_app', current_database());
END $$;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO umpro_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO umpro_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO umpro_app;
REVOKE ALL ON access_log FROM umpro_app;
GRANT SELECT, INSERT ON access_log TO umpro_app;
