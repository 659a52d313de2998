-- request_status_totals follows purchase_requests exactly: one row per store and status, adjusted by the
-- change itself, in its transaction (also for bulk loads such as the seed's COPY).
CREATE FUNCTION request_status_totals_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE request_status_totals
       SET request_count = request_count - 1, total_value = total_value - OLD.total_value
     WHERE store_id = OLD.store_id AND status = OLD.status::text;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO request_status_totals AS t (org_id, store_id, status, request_count, total_value)
    VALUES (NEW.org_id, NEW.store_id, NEW.status::text, 1, NEW.total_value)
    ON CONFLICT (store_id, status) DO UPDATE
      SET request_count = t.request_count + 1, total_value = t.total_value + EXCLUDED.total_value;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER purchase_requests_totals_insert_delete AFTER INSERT OR DELETE ON purchase_requests
  FOR EACH ROW EXECUTE FUNCTION request_status_totals_apply();
--> statement-breakpoint
CREATE TRIGGER purchase_requests_totals_update AFTER UPDATE ON purchase_requests
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.total_value IS DISTINCT FROM NEW.total_value OR OLD.store_id IS DISTINCT FROM NEW.store_id)
  EXECUTE FUNCTION request_status_totals_apply();
--> statement-breakpoint
INSERT INTO request_status_totals (org_id, store_id, status, request_count, total_value)
SELECT org_id, store_id, status::text, count(*), sum(total_value) FROM purchase_requests GROUP BY 1, 2, 3;
--> statement-breakpoint
CREATE MATERIALIZED VIEW mv_buyer_approval_stats AS
SELECT i.org_id,
       i.decided_by AS buyer_id,
       count(*)::int AS decided_items,
       count(*) FILTER (WHERE i.status = 'approved')::int AS approved_items,
       count(*) FILTER (WHERE i.status = 'rejected')::int AS rejected_items,
       coalesce(sum(i.approved_quantity * i.unit_price) FILTER (WHERE i.status = 'approved'), 0)::numeric(14, 2) AS approved_value,
       (count(*) FILTER (WHERE i.status = 'approved'))::real / count(*) AS approval_rate
  FROM purchase_request_items i
 WHERE i.status <> 'pending' AND i.decided_by IS NOT NULL
 GROUP BY i.org_id, i.decided_by;
--> statement-breakpoint
-- REFRESH … CONCURRENTLY needs a unique index.
CREATE UNIQUE INDEX mv_buyer_approval_stats_key ON mv_buyer_approval_stats (org_id, buyer_id);
