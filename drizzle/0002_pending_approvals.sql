CREATE TABLE "pending_approvals" (
	"org_id" uuid NOT NULL,
	"store_id" uuid NOT NULL,
	"buyer_id" uuid NOT NULL,
	"items" integer DEFAULT 0 NOT NULL,
	"value" numeric DEFAULT 0 NOT NULL,
	CONSTRAINT "pending_approvals_store_id_buyer_id_pk" PRIMARY KEY("store_id","buyer_id")
);
--> statement-breakpoint
CREATE INDEX "pending_approvals_org_idx" ON "pending_approvals" USING btree ("org_id");--> statement-breakpoint
-- pending_approvals follows "pending items of pending requests" exactly, adjusted in the transaction of each change.
CREATE FUNCTION pending_approvals_add(p_org uuid, p_store uuid, p_buyer uuid, p_items int, p_value numeric) RETURNS void LANGUAGE sql AS $$
  INSERT INTO pending_approvals AS a (org_id, store_id, buyer_id, items, value)
  VALUES (p_org, p_store, p_buyer, p_items, p_value)
  ON CONFLICT (store_id, buyer_id) DO UPDATE SET items = a.items + EXCLUDED.items, value = a.value + EXCLUDED.value;
$$;
--> statement-breakpoint
-- A request entering or leaving `pending` brings its pending items in or out.
CREATE FUNCTION pending_approvals_on_request() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  sign int;
  r record;
BEGIN
  IF NEW.status = 'pending' AND OLD.status <> 'pending' THEN sign := 1;
  ELSIF OLD.status = 'pending' AND NEW.status <> 'pending' THEN sign := -1;
  ELSE RETURN NULL;
  END IF;
  FOR r IN SELECT buyer_id, count(*)::int AS n, sum(quantity * unit_price) AS v FROM purchase_request_items
           WHERE request_id = NEW.id AND status = 'pending' AND buyer_id IS NOT NULL GROUP BY buyer_id LOOP
    PERFORM pending_approvals_add(NEW.org_id, NEW.store_id, r.buyer_id, sign * r.n, sign * r.v);
  END LOOP;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER purchase_requests_pending_approvals AFTER UPDATE OF status ON purchase_requests
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION pending_approvals_on_request();
--> statement-breakpoint
-- An item of a pending request changing status, buyer or amounts (or appearing, or going away).
CREATE FUNCTION pending_approvals_on_item() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  req record;
BEGIN
  SELECT org_id, store_id, status INTO req FROM purchase_requests WHERE id = COALESCE(NEW.request_id, OLD.request_id);
  IF NOT FOUND OR req.status <> 'pending' THEN RETURN NULL; END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'pending' AND OLD.buyer_id IS NOT NULL THEN
    PERFORM pending_approvals_add(req.org_id, req.store_id, OLD.buyer_id, -1, -(OLD.quantity * OLD.unit_price));
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status = 'pending' AND NEW.buyer_id IS NOT NULL THEN
    PERFORM pending_approvals_add(req.org_id, req.store_id, NEW.buyer_id, 1, NEW.quantity * NEW.unit_price);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER purchase_request_items_pending_approvals AFTER INSERT OR DELETE OR UPDATE OF status, buyer_id, quantity, unit_price ON purchase_request_items
  FOR EACH ROW EXECUTE FUNCTION pending_approvals_on_item();
--> statement-breakpoint
INSERT INTO pending_approvals (org_id, store_id, buyer_id, items, value)
SELECT r.org_id, r.store_id, i.buyer_id, count(*), sum(i.quantity * i.unit_price)
FROM purchase_request_items i JOIN purchase_requests r ON r.id = i.request_id
WHERE i.status = 'pending' AND r.status = 'pending' AND i.buyer_id IS NOT NULL
GROUP BY r.org_id, r.store_id, i.buyer_id;
