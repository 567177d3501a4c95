-- How often each dashboard is opened: cache warming loads the most viewed
-- ones first. Counted in memory and added here in batches, off the hot path.
ALTER TABLE dashboards ADD COLUMN view_count bigint NOT NULL DEFAULT 0;
