-- Example custom module: the page-view depth of each session, one row per domain_sessionid, which
-- joins to {{.output_schema}}.sessions{{.entropy}} on domain_sessionid.
--
-- It runs after sessions main and before sessions complete, reads the sessions this run changed
-- (sessions_this_run) and upserts them, so a re-run of the step converges to the same rows.
-- Table names resolve in the warehouse: SCHEMA.TABLE is the Delta table <warehouse>/SCHEMA/TABLE.

CREATE TABLE IF NOT EXISTS {{.output_schema}}.session_depth{{.entropy}} (
  domain_sessionid STRING NOT NULL,
  domain_userid STRING,
  start_tstamp TIMESTAMP,
  page_views INT,
  depth_bucket STRING
) USING delta;

MERGE INTO {{.output_schema}}.session_depth{{.entropy}} AS target
USING (
  SELECT
    domain_sessionid,
    domain_userid,
    start_tstamp,
    page_views,
    CASE
      WHEN page_views <= 1 THEN '1'
      WHEN page_views <= 3 THEN '2-3'
      WHEN page_views <= 9 THEN '4-9'
      ELSE '10+'
    END AS depth_bucket
  FROM {{.scratch_schema}}.sessions_this_run{{.entropy}}
) AS source
ON target.domain_sessionid = source.domain_sessionid
WHEN MATCHED THEN UPDATE SET *
WHEN NOT MATCHED THEN INSERT *;
